import { copyFiles, hasFile, setFile } from '../skills/files';
import { SKILL_LIMITS, type SkillFiles } from '../skills/limits';

/** One structured edit from the improver. */
export interface SkillEdit {
  path: string;
  action: 'replace' | 'create' | 'delete';
  content?: string;
}

export class EditRejected extends Error {
  override readonly name = 'EditRejected';
}

/** A relative path inside the skill: no absolute paths, no `..`, no backslashes or control characters. */
export function checkEditPath(p: string): void {
  if (p.length === 0 || p.length > 200) throw new EditRejected(`edit path "${p}" is empty or too long`);
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p)) throw new EditRejected(`edit path "${p}" is absolute`);
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f]/.test(p)) throw new EditRejected(`edit path "${p}" has a backslash or control character`);
  const parts = p.split('/');
  if (parts.some((s) => s === '..' || s === '.' || s === '')) {
    throw new EditRejected(`edit path "${p}" leaves the skill folder or is not normalised`);
  }
}

/**
 * Applies the improver's edits to a copy of the files, checking every path and the size caps; throws
 * EditRejected (and changes nothing) on the first bad edit. Symlinks cannot arise: files are a map.
 */
export function applyEdits(files: SkillFiles, edits: SkillEdit[]): SkillFiles {
  if (edits.length === 0) throw new EditRejected('the improver proposed no edits');
  const next = copyFiles(files);
  for (const edit of edits) {
    checkEditPath(edit.path);
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
  return next;
}
