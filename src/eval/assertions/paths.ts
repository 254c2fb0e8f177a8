import fs from 'node:fs/promises';
import path from 'node:path';

const SCRIPT_EXTENSION = /\.(?:js|cjs|mjs)$/;

/** Why `file` is not an acceptable script path (relative, inside the dataset, JavaScript); undefined if it is. */
export function scriptPathProblem(file: string): string | undefined {
  if (file.trim() === '') return 'must not be empty';
  // Both flavours: a dataset written on Windows may be evaluated on Linux and the other way round.
  if (path.posix.isAbsolute(file) || path.win32.isAbsolute(file)) return 'must be a relative path, not absolute';
  if (file.split(/[\\/]/).includes('..')) return 'must stay inside the dataset directory (no "..")';
  if (!SCRIPT_EXTENSION.test(file)) return 'must be a .js, .cjs or .mjs file';
  return undefined;
}

export type ResolvedScript = { ok: true; path: string } | { ok: false; reason: string };

/** Scripts resolved against a folder (the dataset's, at import): `file` must stay inside it. */
export function scriptsInFolder(baseDir: string) {
  return (a: { file: string }) => resolveScript(baseDir, a.file);
}

/** The real path of `file` under `baseDir`, checked again at run time: symlinks can point anywhere. */
export async function resolveScript(baseDir: string, file: string): Promise<ResolvedScript> {
  const problem = scriptPathProblem(file);
  if (problem) return { ok: false, reason: `${file}: ${problem}` };
  let base: string;
  let real: string;
  try {
    base = await fs.realpath(baseDir);
    real = await fs.realpath(path.resolve(base, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: `${file}: file not found` };
    return { ok: false, reason: `${file}: ${(err as Error).message}` };
  }
  const rel = path.relative(base, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    return { ok: false, reason: `${file}: resolves outside the dataset directory` };
  }
  return { ok: true, path: real };
}
