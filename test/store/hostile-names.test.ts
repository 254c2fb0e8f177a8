import { putBlob } from '../../src/store/blobs';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../src/cli/main';
import { applyTuneOutcome } from '../../src/cli/tune-outcome';
import { contentHash } from '../../src/library/content';
import { LibraryError } from '../../src/library/errors';
import { getItem, latestVersion, listVersions, recordVersion } from '../../src/library/versions';
import { putJson } from '../../src/store/blobs';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { recordSkillVersion } from '../../src/library/skill-versions';
import type { TuneStatus } from '../../src/tune/types';
import { apiHarness } from '../api/api-harness';
import { HOSTILE_NAMES, hostileFiles, snapshotTree } from '../support/hostile-names';
import { describeEachStore } from '../support/store-backends';
import { tempDir } from '../support/temporal';

/**
 * Old or hostile stored data: a version inserted with the store's own SQL, past every check, as a
 * version created before the path policy (or written straight into the database) would be.
 */
async function insertRawVersion(db: Db, name: string, files: Record<string, string>): Promise<number> {
  const content = { type: 'skill' as const, files };
  const ref = await putJson(db, content);
  const now = new Date().toISOString();
  await db.run(
    `INSERT INTO library_items (name, kind, owner, contributors, consumers, tags, description, created_at, updated_at)
     VALUES (?, 'skill', 'mallory', '[]', '[]', '[]', '', ?, ?) ON CONFLICT DO NOTHING`,
    [name, now, now],
  );
  const version = ((await latestVersion(db, name)) ?? 0) + 1;
  await db.run(
    `INSERT INTO library_versions (name, version, hash, content_ref, parent_version, rationale, author, created_at)
     VALUES (?, ?, ?, ?, NULL, 'hostile', 'mallory', ?)`,
    [name, version, contentHash(content), ref, now],
  );
  return version;
}

/** Can the file system hold this name exactly as a file below a skill folder? */
function createOnDisk(dir: string, name: string): boolean {
  if (name.includes('\0') || path.posix.normalize(name) !== name || name.startsWith('/') || name.endsWith('/'))
    return false;
  if (name.split('/').includes('..') || /[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))
    return false;
  try {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), 'pwned\n');
    return fs.readdirSync(path.dirname(path.join(dir, name))).includes(path.basename(name));
  } catch {
    return false;
  }
}

describeEachStore('hostile skill file names at every entry point', (backend) => {
  let db: Db;
  let url: string;
  // base/l1/l2/<targets>: a "../../x" from a target lands inside base, whose snapshot must not change.
  let base: string;
  let work: string;
  const savedEnv = { ...process.env };

  /** The real CLI dispatcher, in this process: its exit code and everything it printed. */
  async function cli(args: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const keep = (...a: unknown[]) => void lines.push(a.map(String).join(' '));
    const log = jest.spyOn(console, 'log').mockImplementation(keep);
    const error = jest.spyOn(console, 'error').mockImplementation(keep);
    try {
      return { code: await runCli(args), out: lines.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  beforeAll(async () => {
    url = await backend.freshUrl();
    db = await openStore(url);
    base = tempDir(`hostile-${backend.name}`);
    work = path.join(base, 'l1', 'l2');
    fs.mkdirSync(work, { recursive: true });
    fs.writeFileSync(path.join(base, 'l1', 'keep.txt'), 'untouched\n');
    process.env.REFINERY_DATABASE_URL = url;
    process.env.REFINERY_USER = 'ana';
    delete process.env.REFINERY_API_URL;
    delete process.env.REFINERY_API_TOKEN;
  });
  afterAll(async () => {
    process.env = savedEnv;
    await db.close();
  });

  test('version creation (push, the CLI, the tune loop) refuses every name, naming it and the rule; nothing is stored', async () => {
    for (const [name, rule] of HOSTILE_NAMES) {
      let err: unknown;
      try {
        await recordVersion(
          db,
          'victim',
          { type: 'skill', files: hostileFiles(name) },
          { rationale: 'r', author: 'm' },
        );
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LibraryError);
      expect({ name, status: (err as LibraryError).status, ext: (err as LibraryError).extensions }).toEqual({
        name,
        status: 400,
        ext: { file: name, rule },
      });
      expect((err as Error).message).toContain(`path rule "${rule}"`);
      await expect(
        recordSkillVersion(db, 'victim', hostileFiles(name), { rationale: 'r', author: 'm' }),
      ).rejects.toThrow(`path rule "${rule}"`);
    }
    expect(await getItem(db, 'victim')).toBeUndefined();
  });

  test('the API answers problem+json 400 naming the file and the rule; no item, no version', async () => {
    const h = await apiHarness(() => backend.open());
    try {
      for (const [name, rule] of HOSTILE_NAMES) {
        const r = await h.call('POST', '/v1/library/victim-api/versions', h.tokens.owner, {
          content: { type: 'skill', files: hostileFiles(name) },
          rationale: 'hostile',
        });
        expect({ name, status: r.status, type: r.headers.get('content-type') }).toEqual({
          name,
          status: 400,
          type: 'application/problem+json',
        });
        expect(r.body).toMatchObject({ status: 400, field: 'content.files', file: name, rule });
        expect(r.body.detail).toContain(`path rule "${rule}"`);
      }
      expect((await h.call('GET', '/v1/library/victim-api', h.tokens.owner)).status).toBe(404);
      // A valid skill still goes in.
      const ok = await h.call('POST', '/v1/library/victim-api/versions', h.tokens.owner, {
        content: { type: 'skill', files: { 'SKILL.md': '# s\n', 'refs/a.md': 'a' } },
        rationale: 'fine',
      });
      expect(ok.status).toBe(201);
    } finally {
      await h.close();
    }
  });

  test('push of a folder holding a hostile name exits 2 naming the rule; nothing is stored', async () => {
    let onDisk = 0;
    for (const [name, rule] of HOSTILE_NAMES) {
      const dir = path.join(work, `push-${onDisk}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'SKILL.md'), '# Skill\n');
      if (!createOnDisk(dir, name)) {
        fs.rmSync(dir, { recursive: true });
        continue; // a name no file system holds reaches push only as content: covered above
      }
      onDisk++;
      const r = await cli(['push', dir, '--name', 'victim-push', '--why', 'hostile']);
      expect({ name, code: r.code }).toEqual({ name, code: 2 });
      expect(r.out).toContain(`path rule "${rule}"`);
      fs.rmSync(dir, { recursive: true });
    }
    // Every name the file system can hold was tried through the real command (18 of them on Linux).
    expect(onDisk).toBeGreaterThanOrEqual(15);

    const dir = path.join(work, 'push-link');
    fs.mkdirSync(path.join(base, 'outside'), { recursive: true });
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'SKILL.md'), '# Skill\n');
    fs.symlinkSync(path.join(base, 'outside'), path.join(dir, 'sub'), 'dir');
    const r = await cli(['push', dir, '--name', 'victim-push', '--why', 'hostile']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('path rule "symlink"');
    expect(await getItem(db, 'victim-push')).toBeUndefined();
  });

  test('pull of a stored hostile version exits 2 naming the rule and writes nothing anywhere', async () => {
    const versions: Array<[number, string, string]> = [];
    for (const [name, rule] of HOSTILE_NAMES)
      versions.push([await insertRawVersion(db, 'victim-pull', hostileFiles(name)), name, rule]);
    const before = snapshotTree(base);
    for (const [version, name, rule] of versions) {
      const target = path.join(work, `pulled-${version}`);
      const r = await cli(['pull', 'victim-pull', '--version', String(version), target]);
      expect({ name, code: r.code }).toEqual({ name, code: 2 });
      expect(r.out).toContain(`path rule "${rule}"`);
      expect(snapshotTree(base)).toEqual(before);
    }
    // A folder of its own pulled into an existing empty folder, and a symlinked target refused.
    const good = await insertRawVersion(db, 'victim-pull', { 'SKILL.md': '# ok\n', 'refs/a.md': 'a\n' });
    fs.mkdirSync(path.join(work, 'empty'));
    expect((await cli(['pull', 'victim-pull', '--version', String(good), path.join(work, 'empty')])).code).toBe(0);
    expect(snapshotTree(path.join(work, 'empty'))).toEqual({ 'SKILL.md': '# ok\n', 'refs/': '', 'refs/a.md': 'a\n' });
    fs.mkdirSync(path.join(base, 'real-target'));
    fs.symlinkSync(path.join(base, 'real-target'), path.join(work, 'linked-target'), 'dir');
    const linked = await cli(['pull', 'victim-pull', '--version', String(good), path.join(work, 'linked-target')]);
    expect(linked.code).toBe(2);
    expect(linked.out).toContain('is a symlink: pull into a real folder');
    expect(fs.readdirSync(path.join(base, 'real-target'))).toEqual([]);
  });

  test('restore of a stored hostile version exits 2 naming the rule: the folder, its parents and the store stay as they were', async () => {
    const dir = path.join(work, 'victim-restore');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'SKILL.md'), '# Skill\n');
    await recordSkillVersion(db, 'victim-restore', { 'SKILL.md': '# Skill\n' }, { rationale: 'r', author: 'ana' });
    const versions: Array<[number, string, string]> = [];
    for (const [name, rule] of HOSTILE_NAMES)
      versions.push([
        await insertRawVersion(db, 'victim-restore', { 'SKILL.md': '# v2\n', [name]: 'pwned\n' }),
        name,
        rule,
      ]);
    const before = snapshotTree(base);
    const stored = (await listVersions(db, 'victim-restore')).length;
    for (const [version, name, rule] of versions) {
      const r = await cli(['restore', dir, '--version', String(version)]);
      expect({ name, code: r.code }).toEqual({ name, code: 2 });
      expect(r.out).toContain(`cannot be restored: skill file`);
      expect(r.out).toContain(`path rule "${rule}"`);
      expect(snapshotTree(base)).toEqual(before);
    }
    expect((await listVersions(db, 'victim-restore')).length).toBe(stored);
  });

  test('the outcome writer (outcome --write, tune --wait) refuses each hostile version and writes nothing', async () => {
    const dir = path.join(work, 'victim-outcome');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'SKILL.md'), '# Skill\n');
    const from = await recordSkillVersion(
      db,
      'victim-outcome',
      { 'SKILL.md': '# Skill\n' },
      { rationale: 'r', author: 'a' },
    );
    const status = (fromHash: string, toHash: string) =>
      ({
        skills: ['victim-outcome'],
        outcome: { writeBack: [{ skill: 'victim-outcome', dir, fromHash, toHash }], reportPaths: [], reportRef: '' },
      }) as unknown as TuneStatus;
    const before = snapshotTree(base);
    for (const [name, rule] of HOSTILE_NAMES) {
      const files = hostileFiles(name);
      await insertRawVersion(db, 'victim-outcome', files);
      const hash = contentHash({ type: 'skill', files });
      // As the chosen version, and as the one the run started from (a delete of a hostile name).
      for (const s of [status(from.hash, hash), status(hash, from.hash)]) {
        const applied = await applyTuneOutcome(db, s, { write: true });
        expect({ name, written: applied.folders[0]!.written }).toEqual({ name, written: false });
        expect(applied.folders[0]!.refused).toContain(`path rule "${rule}"`);
        expect(snapshotTree(base)).toEqual(before);
      }
    }
    // A valid version whose folder holds a symlink where the new file's parent goes.
    const outside = path.join(base, 'outcome-outside');
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(dir, 'sub'), 'dir');
    const to = await recordSkillVersion(
      db,
      'victim-outcome',
      { 'SKILL.md': '# Skill\n', 'sub/new.md': 'x' },
      { rationale: 'r', author: 'a' },
    );
    const applied = await applyTuneOutcome(db, status(from.hash, to.hash), { write: true });
    expect(applied.folders[0]!.refused).toContain('path rule "symlink"');
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  test('report paths from a stored run are held to <output>/docs/feedbacks/cycle-<date>/<skill>.md, with no symlink below the output', async () => {
    const reportRef = await putBlob(db, '# report\n');
    const out = path.join(work, 'reports-out');
    const status = (reportPaths: string[]) =>
      ({ skills: [], outcome: { writeBack: [], reportPaths, reportRef } }) as unknown as TuneStatus;
    const before = snapshotTree(base);
    for (const bad of [
      path.join(base, 'escaped.md'),
      `${out}/docs/feedbacks/cycle-2026-12-06/../../../../escaped.md`,
      `${out}/docs/feedbacks/cycle-2026-12-06/sub/x.md`,
      `${out}/docs/feedbacks/cycle-2026-12-06/x.sh`,
    ])
      await expect(applyTuneOutcome(db, status([bad]), { write: true })).rejects.toThrow(/report path|path rule/);
    expect(snapshotTree(base)).toEqual(before);
    // A symlink where docs/ goes would lead the write outside the output folder.
    const outside = path.join(base, 'reports-outside');
    fs.mkdirSync(outside);
    fs.mkdirSync(out);
    fs.symlinkSync(outside, path.join(out, 'docs'), 'dir');
    await expect(
      applyTuneOutcome(db, status([`${out}/docs/feedbacks/cycle-2026-12-06/notes.md`]), { write: true }),
    ).rejects.toThrow(/path rule "symlink"/);
    expect(fs.readdirSync(outside)).toEqual([]);
    // The shape the worker builds is written.
    fs.rmSync(path.join(out, 'docs'));
    const good = `${out}/docs/feedbacks/cycle-2026-12-06/notes.md`;
    await applyTuneOutcome(db, status([good]), { write: true });
    expect(fs.readFileSync(good, 'utf8')).toBe('# report\n');
  });
});
