import { createHash } from 'node:crypto';

/** A skill's text files by path (the same shape as SkillFiles in src/skills/limits.ts: the store sits below it). */
type TextFiles = Record<string, string>;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Canonical JSON of a skill's files (sorted paths), the input of its content hash. */
export function canonicalFiles(files: TextFiles): string {
  return JSON.stringify(
    Object.keys(files)
      .sort()
      .map((p) => [p, files[p]]),
  );
}

/** Content address of a skill version: the same files always give the same hash. */
export function skillHash(files: TextFiles): string {
  return sha256(canonicalFiles(files));
}
