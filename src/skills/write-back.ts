import fs from 'node:fs';
import path from 'node:path';
import type { SkillFiles } from './limits';
import { isBinaryContent } from './media-types';
import { checkSkillFiles } from './path-policy';
import { checkOnDisk, checkRoot, removeFile, replaceFile } from './safe-write';
import { SkillError } from './skill-error';
import { changedTreePaths, contentOfTree, sameFile, treeOfText, type SkillTree } from './tree';

/** The path policy over a whole tree: names, collisions, and the caps of text and binary files. */
export function checkSkillTree(tree: SkillTree): void {
  const { content } = contentOfTree(tree, isBinaryContent);
  checkSkillFiles(content.files, content.binaries, content.executable);
}

/**
 * Writes `to` over a skill folder that holds `from`, one file at a time through a temp file and
 * rename (each file is replaced atomically; a reader never sees half a file), bytes and executable bit
 * exactly. Both file sets pass the path policy first. Refuses when the folder holds anything but from/to
 * content for the files involved — the user edited it meanwhile — and when a path component is a symlink.
 * Idempotent: a retry after a partial write finishes the job. Text file maps stand for trees of text files
 * that are not executable.
 */
export function writeSkillFolder(
  dir: string,
  fromFiles: SkillFiles | SkillTree,
  toFiles: SkillFiles | SkillTree,
): string[] {
  const from = fromFiles instanceof Map ? fromFiles : treeOfText(fromFiles);
  const to = toFiles instanceof Map ? toFiles : treeOfText(toFiles);
  const root = path.resolve(dir);
  checkSkillTree(from);
  checkSkillTree(to);
  checkRoot(root, dir);
  const touched = changedTreePaths(from, to);
  for (const rel of touched) {
    const st = checkOnDisk(root, rel);
    const current = st
      ? { bytes: fs.readFileSync(path.join(root, rel)), executable: (st.mode & 0o100) !== 0 }
      : undefined;
    if (!sameFile(current, from.get(rel)) && !sameFile(current, to.get(rel))) {
      throw new SkillError(
        `${rel} in ${dir} changed since the run started; nothing was written. The outcome is kept in the store: apply it with \`refinery restore\``,
      );
    }
  }
  for (const rel of touched) {
    const file = to.get(rel);
    if (file === undefined) removeFile(root, rel);
    else replaceFile(root, rel, file.bytes, file.executable);
  }
  return touched;
}
