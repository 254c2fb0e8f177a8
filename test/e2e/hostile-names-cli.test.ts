import fs from 'node:fs';
import path from 'node:path';
import { contentHash } from '../../src/library/content';
import { putJson } from '../../src/store/blobs';
import { openStore } from '../../src/store/open';
import { runCli } from '../support/cli';
import { snapshotTree } from '../support/hostile-names';
import { tempDir } from '../support/temporal';

// The reproduction, through the real CLI process: a stored version whose file name climbs out of
// the pull target (test/store/hostile-names.test.ts tries the whole corpus at every entry point).
describe('the refinery CLI refuses hostile skill file names (exit 2, the rule named, nothing written)', () => {
  const base = tempDir('hostile-cli');
  const work = path.join(base, 'l1', 'l2');
  const env = { REFINERY_DATABASE_URL: `sqlite:${path.join(base, 'r.db')}`, REFINERY_USER: 'ana' };

  test('pull of a version holding ../../escaped-by-pull.txt', async () => {
    fs.mkdirSync(work, { recursive: true });
    const db = await openStore(env.REFINERY_DATABASE_URL);
    const content = { type: 'skill' as const, files: { 'SKILL.md': '# s\n', '../../escaped-by-pull.txt': 'pwned\n' } };
    const now = new Date().toISOString();
    // Straight into the store, past the API's check: data stored before the path policy existed.
    await db.run(
      `INSERT INTO library_items (name, kind, owner, contributors, consumers, tags, description, created_at, updated_at)
       VALUES ('evil', 'skill', 'mallory', '[]', '[]', '[]', '', ?, ?)`,
      [now, now],
    );
    await db.run(
      `INSERT INTO library_versions (name, version, hash, content_ref, parent_version, rationale, author, created_at)
       VALUES ('evil', 1, ?, ?, NULL, 'hostile', 'mallory', ?)`,
      [contentHash(content), await putJson(db, content), now],
    );
    await db.close();
    const before = snapshotTree(base);
    const r = await runCli(['pull', 'evil', '--version', '1', path.join(work, 'target')], env);
    expect(r.code).toBe(2);
    expect(r.out).toContain(
      'refinery pull: skill file "../../escaped-by-pull.txt" refused by the path rule "parent-segment": it has a ".." segment that leaves the skill folder; remove the ".."',
    );
    expect(snapshotTree(base)).toEqual(before);
  });

  test('push of a folder holding a file named with a backslash', async () => {
    const dir = path.join(work, 'skill');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'SKILL.md'), '# s\n');
    fs.writeFileSync(path.join(dir, '..\\evil.md'), 'x');
    const r = await runCli(['push', dir, '--why', 'try'], env);
    expect(r.code).toBe(2);
    expect(r.out).toContain('skill file "..\\\\evil.md" refused by the path rule "backslash"');
    const log = await runCli(['log', 'skill'], env);
    expect(log.out).toContain('no prompt or skill named "skill"');
  });
});
