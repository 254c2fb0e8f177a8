import fs from 'node:fs';
import path from 'node:path';
import { changedPaths, fileAt } from './files';
import type { SkillFiles } from './limits';
import { checkSkillFiles } from './path-policy';
import { checkOnDisk, checkRoot, removeFile, replaceFile } from './safe-write';
import { SkillError } from './skill-error';

/**
 * Writes `to` over a skill folder that holds `from`, one file at a time through a temp file and
 * rename (each file is replaced atomically; a reader never sees half a file). Both file sets pass the
 * path policy first. Refuses when the folder holds anything but from/to content for the files involved
 * — the user edited it meanwhile — and when a path component is a symlink. Idempotent: a retry after a
 * partial write finishes the job.
 */
export function writeSkillFolder(dir: string, from: SkillFiles, to: SkillFiles): string[] {
  const root = path.resolve(dir);
  checkSkillFiles(from);
  checkSkillFiles(to);
  checkRoot(root, dir);
  const touched = changedPaths(from, to);
  for (const rel of touched) {
    const st = checkOnDisk(root, rel);
    const current = st ? fs.readFileSync(path.join(root, rel), 'utf8') : undefined;
    if (current !== fileAt(from, rel) && current !== fileAt(to, rel)) {
      throw new SkillError(
        `${rel} in ${dir} changed since the run started; nothing was written. The outcome is kept in the store: apply it with \`refinery restore\``,
      );
    }
  }
  for (const rel of touched) {
    const content = fileAt(to, rel);
    if (content === undefined) removeFile(root, rel);
    else replaceFile(root, rel, content);
  }
  return touched;
}
