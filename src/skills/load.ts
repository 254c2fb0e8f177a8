import fs from 'node:fs';
import path from 'node:path';
import type { SkillContent } from '../library/content';
import { SKILL_LIMITS, SKIPPED_DIRS, type SkillFiles } from './limits';
import { isBinaryContent } from './media-types';
import { checkSkillFiles, checkSkillPath } from './path-policy';
import { SkillError } from './skill-error';
import { contentOfTree, type SkillTree } from './tree';

export interface LoadedSkill {
  /** The folder's basename (the item's name comes from the front matter: src/skills/identity.ts). */
  name: string;
  dir: string;
  /** The text files. */
  files: SkillFiles;
  /** The whole version: text files, binary files by blob hash, executable paths. */
  content: SkillContent;
  /** The bytes of the binary files, by blob hash. */
  blobs: Map<string, Buffer>;
  /** Every file's bytes and executable bit, as read. */
  tree: SkillTree;
}

/**
 * Reads a skill folder (SKILL.md plus other files) into memory, refusing anything that is not plainly inside
 * it: symlinks, special files, names the path policy refuses, and files or totals over SKILL_LIMITS. A file
 * is binary by its content (a NUL byte or invalid UTF-8); its executable bit is the owner's, as git keeps
 * it. Reads only; writes nothing, so a refusal leaves no trace.
 */
export function loadSkillFolder(dir: string): LoadedSkill {
  const root = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(root);
  } catch {
    throw new SkillError(`skill folder ${dir} does not exist: pass the path of a folder containing SKILL.md`);
  }
  if (st.isSymbolicLink()) throw new SkillError(`skill folder ${dir} is a symlink: pass the real folder`);
  if (!st.isDirectory()) throw new SkillError(`${dir} is not a folder: a skill is a folder containing SKILL.md`);
  const skillMd = fs.lstatSync(path.join(root, 'SKILL.md'), { throwIfNoEntry: false });
  if (!skillMd) throw new SkillError(`skill folder ${dir} has no SKILL.md: add one (the skill's main instructions)`);
  if (skillMd.isDirectory())
    throw new SkillError(`SKILL.md in ${dir} is a folder: it must be a file with the skill's instructions`);

  const tree: SkillTree = new Map();
  let text = 0;
  let total = 0;
  const walk = (abs: string, rel: string) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const entryAbs = path.join(abs, entry.name);
      const entryRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() && SKIPPED_DIRS.has(entry.name)) continue;
      // The name first: a refusal must never print a hostile name as it is.
      checkSkillPath(entryRel);
      if (entry.isSymbolicLink()) {
        throw new SkillError(
          `${entryRel} in ${dir} is a symlink (path rule "symlink"): skills may hold only regular files; copy the target in`,
        );
      }
      if (entry.isDirectory()) {
        walk(entryAbs, entryRel);
        continue;
      }
      if (!entry.isFile()) throw new SkillError(`${entryRel} in ${dir} is not a regular file: remove it`);
      const st = fs.lstatSync(entryAbs);
      const size = st.size;
      const maxBinary = SKILL_LIMITS.maxBinaryFileBytes;
      // Checked before reading, so a huge file is refused without being loaded.
      if (size > Math.max(maxBinary, SKILL_LIMITS.maxFileBytes))
        throw new SkillError(
          `${entryRel} is ${size} bytes, over the ${maxBinary}-byte cap per binary file (REFINERY_SKILL_MAX_BINARY_BYTES): shrink it or raise the cap`,
        );
      const buf = fs.readFileSync(entryAbs);
      const binary = isBinaryContent(buf);
      if (binary && entryRel === 'SKILL.md')
        throw new SkillError(
          `SKILL.md in ${dir} is a binary file (NUL bytes or invalid UTF-8): it must be UTF-8 text, the skill's instructions`,
        );
      if (!binary && buf.length > SKILL_LIMITS.maxFileBytes) {
        throw new SkillError(
          `${entryRel} is ${buf.length} bytes, over the ${SKILL_LIMITS.maxFileBytes}-byte cap per text file: split or shorten it`,
        );
      }
      if (binary && buf.length > maxBinary)
        throw new SkillError(
          `${entryRel} is ${buf.length} bytes, over the ${maxBinary}-byte cap per binary file (REFINERY_SKILL_MAX_BINARY_BYTES): shrink it or raise the cap`,
        );
      if (!binary) text += buf.length;
      total += buf.length;
      if (text > SKILL_LIMITS.maxTotalBytes) {
        throw new SkillError(
          `${dir} holds over ${SKILL_LIMITS.maxTotalBytes} bytes of text, the cap per skill: trim it`,
        );
      }
      if (total > SKILL_LIMITS.maxSkillBytes)
        throw new SkillError(
          `${dir} holds over ${SKILL_LIMITS.maxSkillBytes} bytes, the cap per skill (REFINERY_SKILL_MAX_BYTES): trim it or raise the cap`,
        );
      tree.set(entryRel, { bytes: buf, executable: (st.mode & 0o100) !== 0 });
      if (tree.size > SKILL_LIMITS.maxFiles) {
        throw new SkillError(`${dir} holds over ${SKILL_LIMITS.maxFiles} files, the cap per skill: trim it`);
      }
    }
  };
  walk(root, '');
  // Names that would collide where the skill is pulled (case-insensitive file systems) are refused here too.
  const { content, blobs } = contentOfTree(tree, isBinaryContent);
  checkSkillFiles(content.files, content.binaries, content.executable);
  return { name: path.basename(root), dir: root, files: content.files, content, blobs, tree };
}
