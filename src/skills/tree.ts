import type { SkillContent } from '../library/content';
import { bytesHash } from '../store/file-blobs';
import type { SkillBinaries, SkillFiles } from './limits';
import { mediaTypeOf } from './media-types';

/**
 * A skill as it is on disk: every file's exact bytes and its executable bit. Push reads a folder into one,
 * pull, restore and write-back write one out; comparing two says which files a write must touch. A Map,
 * so names such as `__proto__` are ordinary keys.
 */
export interface TreeFile {
  bytes: Buffer;
  executable: boolean;
}
export type SkillTree = Map<string, TreeFile>;

/** The version content of a tree, and the bytes of its binary files by blob hash (to store beside it). */
export function contentOfTree(
  tree: SkillTree,
  isBinary: (bytes: Buffer) => boolean,
): { content: SkillContent; blobs: Map<string, Buffer> } {
  const files: SkillFiles = {};
  const binaries: SkillBinaries = {};
  const executable: string[] = [];
  const blobs = new Map<string, Buffer>();
  for (const [name, file] of [...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (file.executable) executable.push(name);
    const own = { writable: true, enumerable: true, configurable: true };
    if (isBinary(file.bytes)) {
      const blob = bytesHash(file.bytes);
      blobs.set(blob, file.bytes);
      Object.defineProperty(binaries, name, {
        ...own,
        value: { blob, size: file.bytes.length, mediaType: mediaTypeOf(name) },
      });
    } else Object.defineProperty(files, name, { ...own, value: file.bytes.toString('utf8') });
  }
  const content: SkillContent = { type: 'skill', files };
  if (Object.keys(binaries).length > 0) content.binaries = binaries;
  if (executable.length > 0) content.executable = executable;
  return { content, blobs };
}

/** The tree of a version content; bytesOf gives a binary file's bytes by blob hash (from the store). */
export async function treeOfContent(
  content: Pick<SkillContent, 'files' | 'binaries' | 'executable'>,
  bytesOf: (blob: string) => Promise<Buffer>,
): Promise<SkillTree> {
  const executable = new Set(content.executable ?? []);
  const tree: SkillTree = new Map();
  for (const [name, text] of Object.entries(content.files))
    tree.set(name, { bytes: Buffer.from(text, 'utf8'), executable: executable.has(name) });
  for (const [name, entry] of Object.entries(content.binaries ?? {})) {
    const bytes = await bytesOf(entry.blob);
    if (bytes.length !== entry.size || bytesHash(bytes) !== entry.blob)
      throw new Error(`the stored bytes of ${name} do not match its blob ${entry.blob}`);
    tree.set(name, { bytes, executable: executable.has(name) });
  }
  return tree;
}

/** A tree of text files only, none executable (a tune's file maps, tests). */
export function treeOfText(files: SkillFiles, executable: readonly string[] = []): SkillTree {
  const x = new Set(executable);
  return new Map(Object.entries(files).map(([n, t]) => [n, { bytes: Buffer.from(t, 'utf8'), executable: x.has(n) }]));
}

export function sameFile(a: TreeFile | undefined, b: TreeFile | undefined): boolean {
  if (!a || !b) return a === b;
  return a.executable === b.executable && a.bytes.equals(b.bytes);
}

/** Paths whose bytes or executable bit differ between a and b (added, removed or changed), sorted. */
export function changedTreePaths(a: SkillTree, b: SkillTree): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((p) => !sameFile(a.get(p), b.get(p))).sort();
}
