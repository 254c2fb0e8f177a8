import fs from 'node:fs';
import path from 'node:path';

/** A problem with the config or a file it names: the import stops and nothing is written. */
export class ImportError extends Error {}

/** The path after `file://`, or undefined when `value` is no file reference. */
export function fileRef(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith('file://') ? value.slice('file://'.length) : undefined;
}

/**
 * Reads the files a promptfoo config names. Relative paths resolve against the config's folder (as promptfoo
 * does); every path, absolute ones too, must resolve — symlinks followed — inside `root` (the config's folder
 * unless the caller widens it with --root), so importing someone else's config cannot pull an arbitrary file of
 * this machine into the library.
 */
export class ConfigFiles {
  readonly root: string;

  constructor(
    readonly baseDir: string,
    root: string,
  ) {
    this.root = fs.realpathSync(root);
  }

  /** The checked real path of `ref` (a path as written in the config). */
  resolve(ref: string, what: string): string {
    if (ref.trim() === '') throw new ImportError(`${what}: the file path is empty`);
    if (/[*?[\]{}]/.test(ref))
      throw new ImportError(`${what}: ${ref}: glob patterns are not supported; list the files one by one`);
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(this.baseDir, ref));
    } catch {
      throw new ImportError(`${what}: ${ref} does not exist (paths are relative to the config's folder)`);
    }
    const rel = path.relative(this.root, real);
    if (rel.startsWith('..') || path.isAbsolute(rel))
      throw new ImportError(
        `${what}: ${ref} is outside ${this.root}; move it under the config's folder or widen the tree with --root <dir>`,
      );
    if (!fs.statSync(real).isFile()) throw new ImportError(`${what}: ${ref} is not a file (folders are not supported)`);
    return real;
  }

  text(ref: string, what: string): string {
    const text = fs.readFileSync(this.resolve(ref, what), 'utf8');
    // Editors on Windows often save a byte-order mark; it is not part of the content.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /** The path as the listing shows it: relative to the config's folder. */
  display(ref: string): string {
    return path.relative(this.baseDir, path.resolve(this.baseDir, ref)) || ref;
  }
}

export function extensionOf(ref: string): string {
  return path.extname(ref.replace(/:[A-Za-z_$][\w$]*$/, '')).toLowerCase();
}
