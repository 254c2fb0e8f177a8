import type { SkillFiles } from './limits';

/**
 * File maps are plain objects keyed by relative path. Paths such as `__proto__` or `toString` are
 * ordinary file names, so every access goes through own properties only.
 */
export function hasFile(files: SkillFiles, p: string): boolean {
  return Object.hasOwn(files, p);
}

export function fileAt(files: SkillFiles, p: string): string | undefined {
  return Object.hasOwn(files, p) ? files[p] : undefined;
}

export function setFile(files: SkillFiles, p: string, content: string): void {
  Object.defineProperty(files, p, { value: content, writable: true, enumerable: true, configurable: true });
}

export function copyFiles(files: SkillFiles): SkillFiles {
  return Object.fromEntries(Object.entries(files));
}

/** Paths whose content differs between a and b (added, removed or changed), sorted. */
export function changedPaths(a: SkillFiles, b: SkillFiles): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((p) => fileAt(a, p) !== fileAt(b, p)).sort();
}
