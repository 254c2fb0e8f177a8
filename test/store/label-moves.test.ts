import { createActivities } from '../../src/activities';
import { startApiServer } from '../../src/api/server';
import { LibraryError } from '../../src/library/errors';
import { getLabels, labelHistory, LabelMovedError, moveLabel, rollbackProduction } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { runCli } from '../support/cli';
import { describeEachStore } from '../support/store-backends';

const ana = { subject: 'ana', admin: true, ownerRole: true };
const text = (t: string) => ({ type: 'text' as const, text: t, variables: [] });

describeEachStore('label moves: no-op refused, compare-and-set, idempotent promotion', (backend) => {
  let db: Db;
  let url: string;
  beforeEach(async () => {
    url = await backend.freshUrl();
    db = await openStore(url);
    for (const t of ['one', 'two', 'three']) await recordVersion(db, 'p', text(t), { rationale: t, author: 'ana' });
    await moveLabel(db, { name: 'p', label: 'production', version: 1, actor: ana, reason: 'launch' });
  });
  afterEach(() => db.close());

  test('a move to the version the label holds is refused (store, API 409 problem+json, CLI exit 2) and audits nothing', async () => {
    const before = await labelHistory(db, 'p');
    const err = await moveLabel(db, { name: 'p', label: 'production', version: 1, actor: ana, reason: 'again' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LibraryError);
    expect(err).toMatchObject({
      status: 409,
      message: expect.stringMatching(/production of "p" already is version 1/),
    });

    const api = await startApiServer(db, { port: 0, bootstrapToken: 'label-admin', pollMs: 50 });
    try {
      const res = await fetch(`${api.url}/v1/library/p/labels/production`, {
        method: 'PUT',
        headers: { authorization: 'Bearer label-admin', 'content-type': 'application/json' },
        body: JSON.stringify({ version: 1, reason: 'again' }),
      });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({
        status: 409,
        title: 'Conflict',
        detail: expect.stringMatching(/already is version 1: nothing to move/),
      });
    } finally {
      await api.close();
    }

    const cli = await runCli(['label', 'p', 'production', '1', '--why', 'again'], {
      REFINERY_DATABASE_URL: url,
      REFINERY_USER: 'ana',
      REFINERY_ADMINS: 'ana',
    });
    expect(cli.code).toBe(2);
    expect(cli.out).toMatch(/production of "p" already is version 1: nothing to move/);

    expect(await labelHistory(db, 'p')).toEqual(before);
  });

  test('compare-and-set: moves only from the expected version, else names who moved it', async () => {
    await moveLabel(db, { name: 'p', label: 'production', version: 3, actor: ana, reason: 'hotfix', expected: 1 });
    const err = await moveLabel(db, {
      name: 'p',
      label: 'production',
      version: 2,
      actor: ana,
      reason: 'late',
      expected: 1,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabelMovedError);
    expect(err).toMatchObject({ status: 409, current: 3, lastMove: { actor: 'ana', reason: 'hotfix' } });
    expect((err as Error).message).toMatch(/production of "p" is version 3, not version 1 as expected: moved by ana/);
    expect((await getLabels(db, 'p')).production).toBe(3);
    // A label not set yet: expected null.
    await moveLabel(db, { name: 'p', label: 'staging', version: 2, actor: ana, reason: 'try', expected: null });
    expect((await getLabels(db, 'p')).staging).toBe(2);
  });

  test('a retried promotion recognises its own move: one audit row, and rollback still goes back', async () => {
    const acts = createActivities({ db });
    const p = { rolloutId: 'ro-x1', name: 'p', controlVersion: 1, candidateVersion: 2 };
    expect(await acts.promoteRollout(p)).toEqual({ promoted: true });
    expect(await acts.promoteRollout(p)).toEqual({ promoted: true }); // the retry
    const moves = await labelHistory(db, 'p', 'production');
    expect(moves.map((m) => [m.fromVersion, m.toVersion, m.actor])).toEqual([
      [null, 1, 'ana'],
      [1, 2, 'rollout:ro-x1'],
    ]);
    const back = await rollbackProduction(db, { name: 'p', actor: ana, reason: 'bad' });
    expect([back.fromVersion, back.toVersion]).toEqual([2, 1]);

    // Another rollout whose control was moved by a person: not promoted, the mover is named.
    await moveLabel(db, { name: 'p', label: 'production', version: 3, actor: { ...ana, subject: 'bob' }, reason: 'x' });
    const other = await acts.promoteRollout({ ...p, rolloutId: 'ro-x2' });
    expect(other).toMatchObject({ promoted: false, current: 3, movedBy: 'bob' });
    expect((await getLabels(db, 'p')).production).toBe(3);
  });
});
