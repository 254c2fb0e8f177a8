import {
  getLabels,
  labelHistory,
  moveLabel,
  previousProductionVersion,
  rollbackProduction,
} from '../../src/library/label-store';
import { LibraryError } from '../../src/library/errors';
import { recordFeedback, recordRuns, versionUsage } from '../../src/library/records';
import { createToken, lookupToken } from '../../src/library/tokens';
import { getContent, listVersions, recordVersion } from '../../src/library/versions';
import { getSkillFiles, recordSkillVersion } from '../../src/library/skill-versions';
import type { Db } from '../../src/store/db';
import { describeEachStore } from '../support/store-backends';

const ana = { subject: 'ana', admin: false, ownerRole: true };
const text = (t: string) => ({ type: 'text' as const, text: t, variables: [] });

describeEachStore('the library store', (backend) => {
  let db: Db;
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(() => db.close());

  test('versions are immutable and content-addressed; the same content is the same version', async () => {
    const v1 = await recordVersion(db, 'p', text('one'), { rationale: 'a', author: 'ana' });
    const again = await recordVersion(db, 'p', text('one'), { rationale: 'b', author: 'bob' });
    const v2 = await recordVersion(db, 'p', text('two'), { rationale: 'c', author: 'bob' });
    expect([v1.version, v1.created, again.version, again.created, v2.version]).toEqual([1, true, 1, false, 2]);
    expect(v2.parentVersion).toBe(1);
    expect((await listVersions(db, 'p')).map((v) => [v.version, v.rationale, v.author])).toEqual([
      [1, 'a', 'ana'],
      [2, 'c', 'bob'],
    ]);
    expect(await getContent(db, 'p', { version: 1 })).toEqual(text('one'));
    await expect(recordVersion(db, 'p', text('three'), { rationale: ' ', author: 'ana' })).rejects.toThrow(
      /needs a rationale/,
    );
  });

  test('concurrent pushes of one name get distinct, gapless version numbers', async () => {
    await recordVersion(db, 'p', text('seed'), { rationale: 'seed', author: 'ana' });
    const made = await Promise.all(
      Array.from({ length: 12 }, (_, i) => recordVersion(db, 'p', text(`c${i}`), { rationale: 'r', author: 'ana' })),
    );
    expect(made.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
  });

  test('skills live in the same library, addressed by their files', async () => {
    const v = await recordSkillVersion(
      db,
      'sk',
      { 'SKILL.md': '# s', 'a/b.md': 'x' },
      { rationale: 'r', author: 'ana' },
    );
    expect(await getSkillFiles(db, 'sk', v.hash)).toEqual({ 'SKILL.md': '# s', 'a/b.md': 'x' });
    await expect(recordVersion(db, 'sk', text('t'), { rationale: 'r', author: 'ana' })).rejects.toThrow(
      /is a skill, not a prompt/,
    );
  });

  test('label moves are audited; latest is automatic; production is protected', async () => {
    await recordVersion(db, 'p', text('one'), { rationale: 'a', author: 'ana' });
    await recordVersion(db, 'p', text('two'), { rationale: 'b', author: 'ana' });
    await moveLabel(db, { name: 'p', label: 'production', version: 1, actor: ana, reason: 'launch' });
    await moveLabel(db, {
      name: 'p',
      label: 'staging',
      version: 2,
      actor: { subject: 'bob', admin: false, ownerRole: false },
      reason: 'try',
    });
    await expect(
      moveLabel(db, {
        name: 'p',
        label: 'production',
        version: 2,
        actor: { subject: 'bob', admin: false, ownerRole: true },
        reason: 'x',
      }),
    ).rejects.toThrow(/only the owner of "p" \(ana\) or an admin/);
    await moveLabel(db, {
      name: 'p',
      label: 'production',
      version: 2,
      actor: { subject: 'root', admin: true, ownerRole: true },
      reason: 'ship',
    });
    expect(await getLabels(db, 'p')).toEqual({ production: 2, staging: 2, latest: 2 });
    expect(
      (await labelHistory(db, 'p', 'production')).map((m) => [m.fromVersion, m.toVersion, m.actor, m.reason]),
    ).toEqual([
      [null, 1, 'ana', 'launch'],
      [1, 2, 'root', 'ship'],
    ]);
  });

  test('rollback goes to the previous version, and two rollbacks go two back', async () => {
    for (const t of ['one', 'two', 'three']) await recordVersion(db, 'p', text(t), { rationale: t, author: 'ana' });
    for (const v of [1, 2, 3])
      await moveLabel(db, { name: 'p', label: 'production', version: v, actor: ana, reason: `v${v}` });
    expect(await previousProductionVersion(db, 'p')).toBe(2);
    expect((await rollbackProduction(db, { name: 'p', actor: ana, reason: 'bad' })).toVersion).toBe(2);
    expect((await rollbackProduction(db, { name: 'p', actor: ana, reason: 'still bad' })).toVersion).toBe(1);
    await expect(rollbackProduction(db, { name: 'p', actor: ana, reason: 'x' })).rejects.toThrow(
      /no earlier production version/,
    );
    expect((await rollbackProduction(db, { name: 'p', to: 3, actor: ana, reason: 'fixed' })).toVersion).toBe(3);
    await expect(rollbackProduction(db, { name: 'p', to: 9, actor: ana, reason: 'x' })).rejects.toBeInstanceOf(
      LibraryError,
    );
    expect((await getLabels(db, 'p')).production).toBe(3);
  });

  test('two writers moving the same label at once lose no update', async () => {
    for (let i = 1; i <= 5; i++) await recordVersion(db, 'p', text(`v${i}`), { rationale: 'r', author: 'ana' });
    const admin = { subject: 'root', admin: true, ownerRole: true };
    // Many concurrent moves of one label (on PostgreSQL: separate pooled connections at once).
    const settled = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        moveLabel(db, { name: 'p', label: 'production', version: (i % 5) + 1, actor: admin, reason: `m${i}` }),
      ),
    );
    // A move that finds the label already at its version is refused (no N → N row); every other one lands.
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
    for (const e of refused) expect(String(e)).toMatch(/already is version \d: nothing to move/);
    const history = await labelHistory(db, 'p', 'production');
    expect(history).toHaveLength(30 - refused.length);
    expect(history.length).toBeGreaterThan(5);
    // The audit is one unbroken chain: each move starts where the previous one ended.
    for (let i = 1; i < history.length; i++) {
      expect(history[i]!.fromVersion).toBe(history[i - 1]!.toVersion);
      expect(history[i]!.toVersion).not.toBe(history[i]!.fromVersion);
    }
    expect(history[0]!.fromVersion).toBeNull();
    expect((await getLabels(db, 'p')).production).toBe(history[history.length - 1]!.toVersion);
  });

  test('runs and feedback: ids make redelivery harmless; figures per version', async () => {
    await recordVersion(db, 'p', text('one'), { rationale: 'a', author: 'ana' });
    const runs = Array.from({ length: 10 }, (_, i) => ({
      id: `run-${String(i).padStart(6, '0')}`,
      name: 'p',
      version: 1,
      latencyMs: 100 + i,
      formatOk: i % 2 === 0,
      corrected: i === 0,
      regenerated: false,
      error: i === 9 ? 'boom' : undefined,
    }));
    expect(await recordRuns(db, runs)).toEqual({ stored: 10, duplicates: 0 });
    expect(await recordRuns(db, runs)).toEqual({ stored: 0, duplicates: 10 });
    await recordFeedback(db, [
      { id: 'fb-0000001', runId: 'run-000000', thumbs: 'down' },
      { id: 'fb-0000002', runId: 'run-000001', thumbs: 'up', rating: 4 },
    ]);
    const [u] = await versionUsage(db, 'p');
    expect(u).toMatchObject({
      version: 1,
      runs: 10,
      errorRate: 0.1,
      formatOkRate: 0.5,
      correctionRate: 0.1,
      thumbsUp: 1,
      thumbsDown: 1,
      averageRating: 4,
      p50LatencyMs: 104,
    });
  });

  test('tokens are stored hashed and looked up by their value', async () => {
    const token = await createToken(db, 'rita', 'reader');
    expect(await lookupToken(db, token)).toEqual({ subject: 'rita', role: 'reader', tokenId: expect.any(String) });
    expect(await lookupToken(db, `${token}x`)).toBeUndefined();
    const stored = await db.all<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
  });
});
