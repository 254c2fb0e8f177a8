import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkSkillPath, PathPolicyError, showName } from './path-policy';
import { SkillError } from './skill-error';
import type { SkillTree } from './tree';

/**
 * The only code that writes skill files: every name has passed the path policy, and nothing is
 * written through a symlink. Node has no openat(), so each existing folder below the root is checked
 * with lstat just before use, folders are created one at a time, files are created with O_EXCL and
 * O_NOFOLLOW, and a file is replaced by renaming a fresh temp file inside its checked folder (rename
 * replaces a symlink, it never follows one).
 */

// O_NOFOLLOW is absent on Windows; O_EXCL alone already refuses an existing link there.
const CREATE_NEW = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);

/** The root a skill is written into: an existing real folder, not a symlink. */
export function checkRoot(root: string, shown: string): void {
  const st = fs.lstatSync(root, { throwIfNoEntry: false });
  if (!st) throw new SkillError(`${shown} does not exist: pass an existing skill folder`);
  if (st.isSymbolicLink()) throw new SkillError(`${shown} is a symlink: pass the real folder it points to`);
  if (!st.isDirectory()) throw new SkillError(`${shown} is not a folder`);
}

/**
 * Checks each existing folder on the way to rel (below root) and the file itself: none may be a
 * symlink, and the folders must be folders. Returns the file's lstat, or undefined when it is absent.
 */
export function checkOnDisk(root: string, rel: string): fs.Stats | undefined {
  checkSkillPath(rel);
  const parts = rel.split('/');
  let at = root;
  for (let i = 0; i < parts.length; i++) {
    at = path.join(at, parts[i]!);
    const st = fs.lstatSync(at, { throwIfNoEntry: false });
    if (!st) return undefined;
    const shown = parts.slice(0, i + 1).join('/');
    if (st.isSymbolicLink())
      throw new PathPolicyError(
        rel,
        'symlink',
        `${showName(shown)} is a symlink, and a write would follow it out of the folder`,
        'replace the symlink with a real folder or file',
      );
    if (i < parts.length - 1 && !st.isDirectory())
      throw new PathPolicyError(
        rel,
        'not-a-folder',
        `${showName(shown)} is a file, not a folder`,
        'rename or remove it',
      );
    if (i === parts.length - 1) {
      if (st.isDirectory())
        throw new PathPolicyError(rel, 'not-a-folder', 'a folder of that name is in the way', 'rename or remove it');
      return st;
    }
  }
  return undefined;
}

/** Creates the folders of rel's path below root one at a time, each checked to be a real folder. */
function makeFolders(root: string, rel: string): string {
  const parts = rel.split('/').slice(0, -1);
  let at = root;
  for (let i = 0; i < parts.length; i++) {
    at = path.join(at, parts[i]!);
    try {
      fs.mkdirSync(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // Checked after mkdir, so a folder swapped for a link between the two is seen here.
    const st = fs.lstatSync(at);
    if (st.isSymbolicLink() || !st.isDirectory())
      throw new PathPolicyError(
        rel,
        st.isSymbolicLink() ? 'symlink' : 'not-a-folder',
        `${showName(parts.slice(0, i + 1).join('/'))} is not a real folder`,
        'replace it with a real folder',
      );
  }
  return at;
}

/**
 * Creates a new file; refuses to open anything that already exists, a link included. An executable file is
 * created 0777 and any other 0666, less the umask, as git checks files out: the executable bit is kept, the
 * rest of the mode is the user's choice.
 */
function createFile(abs: string, content: string | Buffer, executable = false): void {
  const mode = executable ? 0o777 : 0o666;
  const fd = fs.openSync(abs, CREATE_NEW, mode);
  try {
    fs.writeFileSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes (or replaces) one file below root: a fresh temp file in its checked folder, then rename. */
export function replaceFile(root: string, rel: string, content: string | Buffer, executable = false): void {
  checkOnDisk(root, rel);
  const folder = makeFolders(root, rel);
  const tmp = path.join(folder, `.refinery-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  createFile(tmp, content, executable);
  try {
    checkOnDisk(root, rel);
    fs.renameSync(tmp, path.join(root, rel));
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Deletes one file below root; a symlink on the way or in its place is refused, a missing file is fine. */
export function removeFile(root: string, rel: string): void {
  if (checkOnDisk(root, rel)) fs.rmSync(path.join(root, rel), { force: true });
}

/**
 * Writes files into a folder that is new or empty, all or nothing: they go into a fresh hidden folder
 * beside it, which is then renamed into place, so a failure leaves no partial copy. The names must
 * already have passed checkSkillFiles.
 */
export function writeNewFolder(target: string, shown: string, files: Record<string, string> | SkillTree): void {
  const st = fs.lstatSync(target, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) throw new SkillError(`${shown} is a symlink: pull into a real folder`);
  if (st && !st.isDirectory()) throw new SkillError(`${shown} is not a folder: pull into a new or empty folder`);
  if (st && fs.readdirSync(target).length > 0)
    throw new SkillError(`${shown} is not empty: pull into a new or empty folder`);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  // The target's name, cut short, keeps the staging folder recognisable and within NAME_MAX.
  const staging = path.join(
    parent,
    `.${path.basename(target).slice(0, 64)}.refinery-${process.pid}-${randomBytes(6).toString('hex')}`,
  );
  fs.mkdirSync(staging);
  try {
    const entries: [string, string | Buffer, boolean][] =
      files instanceof Map
        ? [...files].map(([rel, f]) => [rel, f.bytes, f.executable])
        : Object.entries(files).map(([rel, text]) => [rel, text, false]);
    for (const [rel, content, executable] of entries) {
      checkOnDisk(staging, rel);
      createFile(path.join(makeFolders(staging, rel), path.basename(rel)), content, executable);
    }
    moveInto(staging, target, shown);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function moveInto(staging: string, target: string, shown: string): void {
  try {
    // POSIX rename replaces an empty folder and fails on one that gained files meanwhile.
    fs.renameSync(staging, target);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
      const now = fs.lstatSync(target, { throwIfNoEntry: false });
      if (!now?.isDirectory() || now.isSymbolicLink() || fs.readdirSync(target).length > 0)
        throw new SkillError(`${shown} changed while pulling; nothing was written: pull into a new or empty folder`);
    } else if (code !== 'EPERM' && code !== 'EACCES') throw err;
  }
  // Where a folder cannot be renamed over another (Windows): move the top-level entries one by one.
  for (const entry of fs.readdirSync(staging)) {
    if (fs.lstatSync(path.join(target, entry), { throwIfNoEntry: false }))
      throw new SkillError(`${shown} changed while pulling: ${entry} appeared in it`);
    fs.renameSync(path.join(staging, entry), path.join(target, entry));
  }
}
