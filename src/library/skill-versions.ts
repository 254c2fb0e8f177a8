import { recordVersion, getContent, getVersion, listVersions } from './versions';
import type { SkillContent } from './content';
import type { SkillFiles } from '../skills/limits';
import { treeOfContent, type SkillTree } from '../skills/tree';
import type { Db } from '../store/db';
import { getFileBlob } from '../store/file-blobs';

/** Skills as the tune loop sees them: library items of kind skill, versions addressed by file hash. */
export interface SkillVersion {
  skill: string;
  versionNo: number;
  hash: string;
  parentHash: string | null;
  rationale: string;
  author: string;
  createdAt: string;
}

export async function recordSkillVersion(
  db: Db,
  skill: string,
  files: SkillFiles | SkillContent,
  meta: { parentHash?: string | null; rationale: string; author: string },
): Promise<SkillVersion> {
  const parent = meta.parentHash ? await getVersion(db, skill, { hash: meta.parentHash }) : undefined;
  const v = await recordVersion(
    db,
    skill,
    // A whole content keeps its binary files and executable bits; a text map is a text-only skill.
    isSkillContent(files) ? files : { type: 'skill', files },
    {
      rationale: meta.rationale,
      author: meta.author,
      parentVersion: meta.parentHash === undefined ? undefined : (parent?.version ?? null),
    },
  );
  return {
    skill,
    versionNo: v.version,
    hash: v.hash,
    parentHash: meta.parentHash ?? null,
    rationale: v.rationale,
    author: v.author,
    createdAt: v.createdAt,
  };
}

export async function getSkillVersion(
  db: Db,
  skill: string,
  ref: { hash: string } | { versionNo: number },
): Promise<SkillVersion | undefined> {
  const v = await getVersion(db, skill, 'hash' in ref ? { hash: ref.hash } : { version: ref.versionNo });
  if (!v) return undefined;
  const parent = v.parentVersion === null ? undefined : await getVersion(db, skill, { version: v.parentVersion });
  return {
    skill,
    versionNo: v.version,
    hash: v.hash,
    parentHash: parent?.hash ?? null,
    rationale: v.rationale,
    author: v.author,
    createdAt: v.createdAt,
  };
}

function isSkillContent(x: SkillFiles | SkillContent): x is SkillContent {
  return Object.hasOwn(x, 'type') && (x as SkillContent).type === 'skill' && typeof x.files === 'object';
}

/** The whole stored version: text files, binary entries, executable paths. */
export async function getSkillContent(db: Db, skill: string, hash: string): Promise<SkillContent> {
  const content = await getContent(db, skill, { hash });
  if (content.type !== 'skill') throw new Error(`"${skill}" is a prompt, not a skill`);
  return content;
}

/** A stored version as files on disk would hold it: exact bytes (binary files from the store) and modes. */
export async function getSkillTree(db: Db, skill: string, hash: string): Promise<SkillTree> {
  return treeOfContent(await getSkillContent(db, skill, hash), (blob) => getFileBlob(db, blob));
}

/** The text files of a version (what the tune loop reads and edits). */
export async function getSkillFiles(db: Db, skill: string, hash: string): Promise<SkillFiles> {
  const content = await getContent(db, skill, { hash });
  if (content.type !== 'skill') throw new Error(`"${skill}" is a prompt, not a skill`);
  return content.files;
}

export async function listSkillVersions(db: Db, skill: string): Promise<SkillVersion[]> {
  const all = await listVersions(db, skill);
  const byVersion = new Map(all.map((v) => [v.version, v.hash]));
  return all.map((v) => ({
    skill,
    versionNo: v.version,
    hash: v.hash,
    parentHash: v.parentVersion === null ? null : (byVersion.get(v.parentVersion) ?? null),
    rationale: v.rationale,
    author: v.author,
    createdAt: v.createdAt,
  }));
}
