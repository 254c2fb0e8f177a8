import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../../config';
import { loadSkillFolder } from '../../skills/load';
import { skillFilesProblem } from '../../skills/path-policy';
import { SkillError } from '../../skills/skill-error';
import { writeSkillFolder } from '../../skills/write-back';
import { changedTreePaths } from '../../skills/tree';
import { openStore } from '../../store/open';
import {
  getSkillContent,
  getSkillTree,
  getSkillVersion,
  listSkillVersions,
  recordSkillVersion,
} from '../../library/skill-versions';
import { putFileBlob } from '../../store/file-blobs';
import { contentAsFiles } from '../library-io';
import { diffFiles } from '../../activities/tune/write-back';
import { CliError, EXIT } from '../exit-codes';

export const restoreHelp = `refinery restore <skill-dir> --version N [--name <skill>] [--dry-run]
  Writes version N of the skill from the store into the folder (atomically per file) and shows the diff.
  The folder's current content is recorded as a version first, so the restore itself can be undone.
  Without --version it lists the versions.`;

export async function restoreCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { version: { type: 'string' }, name: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    allowPositionals: true,
  });
  const dir = positionals[0];
  if (!dir) throw new CliError('name the skill folder: refinery restore <skill-dir> --version N');
  let current;
  try {
    current = loadSkillFolder(path.resolve(dir));
  } catch (err) {
    if (err instanceof SkillError) throw new CliError(err.message);
    throw err;
  }
  const name = values.name ?? current.name;
  const db = await openStore(config.databaseUrl);
  try {
    const versions = await listSkillVersions(db, name);
    if (versions.length === 0) throw new CliError(`the store has no versions of skill "${name}": check --name`);
    if (values.version === undefined) {
      for (const v of versions)
        console.log(`v${v.versionNo}  ${v.hash.slice(0, 12)}  ${v.createdAt}  ${v.author}  ${v.rationale}`);
      return EXIT.ok;
    }
    const n = Number(values.version);
    const target = Number.isInteger(n) ? await getSkillVersion(db, name, { versionNo: n }) : undefined;
    if (!target)
      throw new CliError(`skill "${name}" has no version ${values.version}: versions are 1 to ${versions.length}`);
    const stored = await getSkillContent(db, name, target.hash);
    // Before the diff is printed or the folder recorded: a refused name changes nothing.
    const problem = skillFilesProblem(stored.files, stored.binaries, stored.executable);
    if (problem) throw new CliError(`version ${target.versionNo} of "${name}" cannot be restored: ${problem.message}`);
    const to = await getSkillTree(db, name, target.hash);
    const diff = diffFiles(contentAsFiles(current.content, name), contentAsFiles(stored, name));
    if (changedTreePaths(current.tree, to).length === 0) {
      console.log(`${dir} already holds v${target.versionNo}: nothing to do`);
      return EXIT.ok;
    }
    // A change of executable bits alone has no text diff: name those files.
    const modes = changedTreePaths(current.tree, to).filter(
      (p) => current.tree.get(p)?.bytes.equals(to.get(p)?.bytes ?? Buffer.alloc(0)) && to.has(p),
    );
    console.log(
      diff + modes.map((p) => `mode of ${p}: ${to.get(p)!.executable ? 'executable' : 'not executable'}\n`).join(''),
    );
    if (values['dry-run']) return EXIT.ok;
    for (const bytes of current.blobs.values()) await putFileBlob(db, bytes);
    await recordSkillVersion(db, name, current.content, {
      rationale: `folder content before restoring v${target.versionNo}`,
      author: 'restore',
    });
    try {
      writeSkillFolder(current.dir, current.tree, to);
    } catch (err) {
      if (err instanceof SkillError) throw new CliError(err.message);
      throw err;
    }
    console.log(`restored ${dir} to v${target.versionNo} (${target.hash.slice(0, 12)})`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
