import fs from 'node:fs';
import path from 'node:path';
import { changedPaths, fileAt } from './files';
import type { SkillFiles } from './limits';
import { SkillError } from './skill-error';

/**
 * Writes `to` over a skill folder that holds `from`, one file at a time through a temp file and
 * rename (each file is replaced atomically; a reader never sees half a file). Refuses when the folder
 * holds anything but from/to content for the files involved — the user edited it meanwhile — and when
 * a target is a symlink. Idempotent: a retry after a partial write finishes the job.
 */
export function writeSkillFolder(dir: string, from: SkillFiles, to: SkillFiles): string[] {
  const root = path.resolve(dir);
  const touched = changedPaths(from, to);
  for (const rel of touched) {
    const abs = path.join(root, rel);
    if (!abs.startsWith(root + path.sep)) throw new SkillError(`refusing to write ${rel}: outside ${dir}`);
    // Every folder on the way must be a real folder: a symlinked parent would carry the write outside.
    let walk = root;
    for (const part of rel.split('/').slice(0, -1)) {
      walk = path.join(walk, part);
      if (fs.lstatSync(walk, { throwIfNoEntry: false })?.isSymbolicLink()) {
        throw new SkillError(`refusing to write ${rel}: ${path.relative(root, walk)} is a symlink`);
      }
    }
    let current: string | undefined;
    try {
      const st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) throw new SkillError(`refusing to write ${rel}: it is a symlink`);
      current = fs.readFileSync(abs, 'utf8');
    } catch (err) {
      if (err instanceof SkillError) throw err;
      current = undefined;
    }
    if (current !== fileAt(from, rel) && current !== fileAt(to, rel)) {
      throw new SkillError(
        `${rel} in ${dir} changed since the run started; nothing was written. The outcome is kept in the store: apply it with \`refinery restore\``,
      );
    }
  }
  for (const rel of touched) {
    const abs = path.join(root, rel);
    const content = fileAt(to, rel);
    if (content === undefined) {
      fs.rmSync(abs, { force: true });
      continue;
    }
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.refinery-${process.pid}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, abs);
  }
  return touched;
}
