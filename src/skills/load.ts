import fs from 'node:fs';
import path from 'node:path';
import { setFile } from './files';
import { SKILL_LIMITS, SKIPPED_DIRS, type SkillFiles } from './limits';
import { checkSkillFiles, checkSkillPath } from './path-policy';
import { SkillError } from './skill-error';

function isBinary(buf: Buffer): boolean {
  if (buf.includes(0)) return true;
  // Invalid UTF-8 round-trips with replacement characters: treat it as binary.
  return !Buffer.from(buf.toString('utf8'), 'utf8').equals(buf);
}

/**
 * Reads a skill folder (SKILL.md plus other text files) into memory, refusing anything that is not
 * plainly inside it: symlinks, binaries, names the path policy refuses, and files or totals over
 * SKILL_LIMITS. Reads only; writes
 * nothing, so a refusal leaves no trace.
 */
export function loadSkillFolder(dir: string): { name: string; dir: string; files: SkillFiles } {
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

  const files: SkillFiles = {};
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
      const buf = fs.readFileSync(entryAbs);
      if (buf.length > SKILL_LIMITS.maxFileBytes) {
        throw new SkillError(
          `${entryRel} is ${buf.length} bytes, over the ${SKILL_LIMITS.maxFileBytes}-byte cap per file: split or shorten it`,
        );
      }
      if (isBinary(buf))
        throw new SkillError(`${entryRel} in ${dir} is a binary file: skills hold text only; remove it`);
      total += buf.length;
      if (total > SKILL_LIMITS.maxTotalBytes) {
        throw new SkillError(
          `${dir} holds over ${SKILL_LIMITS.maxTotalBytes} bytes of text, the cap per skill: trim it`,
        );
      }
      setFile(files, entryRel, buf.toString('utf8'));
      if (Object.keys(files).length > SKILL_LIMITS.maxFiles) {
        throw new SkillError(`${dir} holds over ${SKILL_LIMITS.maxFiles} files, the cap per skill: trim it`);
      }
    }
  };
  walk(root, '');
  // Names that would collide where the skill is pulled (case-insensitive file systems) are refused here too.
  checkSkillFiles(files);
  return { name: path.basename(root), dir: root, files };
}
