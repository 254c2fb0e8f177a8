import { copyFiles, hasFile, setFile } from '../skills/files';
import { SKILL_LIMITS, type SkillBinaries, type SkillFiles } from '../skills/limits';
import { binaryEditProblem } from '../skills/binary-files';
import { skillFilesProblem, skillPathProblem } from '../skills/path-policy';

/** One structured edit from the improver. */
export interface SkillEdit {
  path: string;
  action: 'replace' | 'create' | 'delete';
  content?: string;
}

export class EditRejected extends Error {
  override readonly name = 'EditRejected';
}

/** A relative path inside the skill, by the one path policy (src/skills/path-policy.ts). */
export function checkEditPath(p: string): void {
  const problem = skillPathProblem(p);
  if (problem) throw new EditRejected(`edit refused: ${problem.message}`);
}

/**
 * Applies the improver's edits to a copy of the files, checking every path and the size caps; throws
 * EditRejected (and changes nothing) on the first bad edit. Symlinks cannot arise: files are a map. The
 * skill's binary files are not the improver's to touch: an edit naming one is refused.
 */
export function applyEdits(files: SkillFiles, edits: SkillEdit[], binaries: SkillBinaries = {}): SkillFiles {
  if (edits.length === 0) throw new EditRejected('the improver proposed no edits');
  const next = copyFiles(files);
  for (const edit of edits) {
    checkEditPath(edit.path);
    const binary = binaryEditProblem(edit.path, binaries);
    if (binary) throw new EditRejected(binary);
    if (edit.action === 'delete') {
      if (edit.path === 'SKILL.md') throw new EditRejected('an edit may not delete SKILL.md');
      if (!hasFile(next, edit.path)) throw new EditRejected(`delete of ${edit.path}: no such file`);
      delete next[edit.path];
      continue;
    }
    if (typeof edit.content !== 'string') throw new EditRejected(`${edit.action} of ${edit.path} has no content`);
    if (edit.action === 'replace' && !hasFile(next, edit.path))
      throw new EditRejected(`replace of ${edit.path}: no such file`);
    if (Buffer.byteLength(edit.content) > SKILL_LIMITS.maxFileBytes) {
      throw new EditRejected(`${edit.path} would exceed the ${SKILL_LIMITS.maxFileBytes}-byte cap per file`);
    }
    setFile(next, edit.path, edit.content);
  }
  const total = Object.values(next).reduce((n, c) => n + Buffer.byteLength(c), 0);
  if (total > SKILL_LIMITS.maxTotalBytes)
    throw new EditRejected(`the skill would exceed ${SKILL_LIMITS.maxTotalBytes} bytes`);
  if (Object.keys(next).length > SKILL_LIMITS.maxFiles)
    throw new EditRejected(`the skill would exceed ${SKILL_LIMITS.maxFiles} files`);
  // Names that collide where the skill is written (case, file and folder of one name).
  const problem = skillFilesProblem(next, binaries);
  if (problem) throw new EditRejected(`edit refused: ${problem.message}`);
  return next;
}
