/** Documented size caps for a skill folder (README, "Skills"). */
export const SKILL_LIMITS = {
  maxFileBytes: 256 * 1024,
  maxTotalBytes: 2 * 1024 * 1024,
  maxFiles: 200,
  /** A file name, folders included, in UTF-16 characters. */
  maxPathLength: 200,
  /** One folder or file name in UTF-8 bytes: the common file-system limit (NAME_MAX). */
  maxSegmentBytes: 255,
} as const;

/** Folders skipped when reading a skill: version-control metadata, not skill content. */
export const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules']);

export type SkillFiles = Record<string, string>;
