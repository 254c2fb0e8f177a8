/**
 * Documented size caps for a skill folder (README, "Skills"). Text files keep their caps (they are what a
 * model reads); binary files and the whole skill have their own, larger ones, configurable through
 * REFINERY_SKILL_MAX_BINARY_BYTES and REFINERY_SKILL_MAX_BYTES (read on use, validated in src/config.ts).
 */
export const SKILL_LIMITS = {
  /** One text file: room for a 1 MiB reference. */
  maxFileBytes: 1024 * 1024,
  /** All text files together. */
  maxTotalBytes: 2 * 1024 * 1024,
  maxFiles: 200,
  /** A file name, folders included, in UTF-16 characters. */
  maxPathLength: 200,
  /** One folder or file name in UTF-8 bytes: the common file-system limit (NAME_MAX). */
  maxSegmentBytes: 255,
  /** One binary file (a font, a PDF, an archive). */
  get maxBinaryFileBytes(): number {
    return envBytes('REFINERY_SKILL_MAX_BINARY_BYTES', 16 * 1024 * 1024);
  },
  /** The whole skill, text and binary files together. */
  get maxSkillBytes(): number {
    return envBytes('REFINERY_SKILL_MAX_BYTES', 64 * 1024 * 1024);
  },
} as const;

function envBytes(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}=${raw} is not a whole number of bytes above 0`);
  return n;
}

/** Folders skipped when reading a skill: version-control metadata, not skill content. */
export const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules']);

/** A skill's text files by relative path. */
export type SkillFiles = Record<string, string>;

/** A binary file of a version: its bytes live in the store as a content-addressed blob (src/store/file-blobs.ts). */
export interface BinaryEntry {
  /** sha256 of the bytes, hex. */
  blob: string;
  size: number;
  mediaType: string;
}
export type SkillBinaries = Record<string, BinaryEntry>;
