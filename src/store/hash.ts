import { createHash } from 'node:crypto';
import type { SkillFiles } from '../skills/limits';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Canonical JSON of a skill's files (sorted paths), the input of its content hash. */
export function canonicalFiles(files: SkillFiles): string {
  return JSON.stringify(
    Object.keys(files)
      .sort()
      .map((p) => [p, files[p]]),
  );
}

/** Content address of a skill version: the same files always give the same hash. */
export function skillHash(files: SkillFiles): string {
  return sha256(canonicalFiles(files));
}
