import { skillFilesProblem } from '../skills/path-policy';
import { getJson, putJson } from '../store/blobs';
import { missingFileBlobs } from '../store/file-blobs';
import { mediaTypeOf } from '../skills/media-types';
import type { Db, Queryable } from '../store/db';
import {
  getContentRef,
  getItem,
  getVersion,
  insertItemIfMissing,
  insertVersion,
  latestVersion,
  lockItem,
  updateItemFields,
  type LibraryItem,
  type LibraryVersion,
} from './library-store';
import { contentHash, kindOf, normalizeSkill, type LibraryContent, type LibraryKind } from './content';
import { LibraryError } from './errors';

// The queries live in library-store.ts; these are re-exported so callers keep one import for the library.
export { getItem, getVersion, latestVersion, listVersions } from './library-store';
export type { LibraryItem, LibraryVersion } from './library-store';

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export function nameProblem(name: string): string | undefined {
  return NAME_PATTERN.test(name)
    ? undefined
    : `name "${name}" is invalid: use 1-100 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit`;
}

export interface ItemMeta {
  owner: string;
  contributors?: string[];
  consumers?: string[];
  tags?: string[];
  description?: string;
}

/** Creates the item when it does not exist yet (first push or first tune); returns it either way. */
export async function ensureItem(tx: Queryable, name: string, kind: LibraryKind, meta: ItemMeta): Promise<LibraryItem> {
  const problem = nameProblem(name);
  if (problem) throw new LibraryError(problem, 400, 'name');
  const now = new Date().toISOString();
  await insertItemIfMissing(
    tx,
    name,
    kind,
    {
      owner: meta.owner,
      contributors: meta.contributors ?? [],
      consumers: meta.consumers ?? [],
      tags: meta.tags ?? [],
      description: meta.description ?? '',
    },
    now,
  );
  const item = (await getItem(tx, name))!;
  if (item.kind !== kind) throw new LibraryError(`"${name}" is a ${item.kind}, not a ${kind}`, 409, 'name');
  return item;
}

export async function requireItem(db: Queryable, name: string): Promise<LibraryItem> {
  const item = await getItem(db, name);
  if (!item) throw new LibraryError(`no prompt or skill named "${name}" in the library`, 404, 'name');
  return item;
}

export async function updateItem(
  db: Db,
  name: string,
  patch: Partial<Omit<ItemMeta, 'owner'>> & { owner?: string },
): Promise<LibraryItem> {
  const item = await requireItem(db, name);
  const next = {
    ...item,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
  };
  await updateItemFields(db, name, next, new Date().toISOString());
  return requireItem(db, name);
}

export interface RecordedVersion extends LibraryVersion {
  /** False when the content already was a version (content-addressed: nothing new is written). */
  created: boolean;
}

/**
 * Records content as an immutable version of name (creating the item on first use). The same content
 * always maps to the same version: retries and unchanged pushes never duplicate one.
 */
export async function recordVersion(
  db: Db,
  name: string,
  content: LibraryContent,
  meta: { rationale: string; author: string; parentVersion?: number | null; item?: Partial<ItemMeta> },
): Promise<RecordedVersion> {
  if (!meta.rationale.trim())
    throw new LibraryError('a version needs a rationale: say why it changed (--why)', 400, 'rationale');
  if (content.type === 'skill') {
    // One stored shape per folder (empty lists dropped, media types from the names), so one hash.
    content = normalizeSkill(content, mediaTypeOf);
    // The one path policy, before anything is stored: a refused name is never a version to pull.
    const problem = skillFilesProblem(content.files, content.binaries, content.executable);
    if (problem)
      throw new LibraryError(problem.message, 400, 'content.files', { file: problem.file, rule: problem.rule });
    // A version never names bytes the store lacks: binary files are uploaded (putFileBlob) before the version.
    const missing = await missingFileBlobs(
      db,
      Object.values(content.binaries ?? {}).map((b) => b.blob),
    );
    if (missing.length > 0) {
      const names = Object.entries(content.binaries!)
        .filter(([, b]) => missing.includes(b.blob))
        .map(([p]) => p);
      throw new LibraryError(
        `the bytes of ${names.join(', ')} are not in the store: upload each binary file first (PUT /v1/library/{name}/blobs/{sha256})`,
        400,
        'content.binaries',
      );
    }
  }
  const hash = contentHash(content);
  return db.transaction(async (tx) => {
    await ensureItem(tx, name, kindOf(content), { owner: meta.author, ...meta.item });
    // Two pushes of one name at once must not both take MAX(version) + 1: lock the item's row.
    if (db.dialect === 'postgres') await lockItem(tx, name);
    const existing = await getVersion(tx, name, { hash });
    if (existing) return { ...existing, created: false };
    const latest = await latestVersion(tx, name);
    const version = (latest ?? 0) + 1;
    const contentRef = await putJson(tx, content);
    const now = new Date().toISOString();
    const parent = meta.parentVersion === undefined ? (latest ?? null) : meta.parentVersion;
    await insertVersion(tx, {
      name,
      version,
      hash,
      contentRef,
      parentVersion: parent,
      rationale: meta.rationale,
      author: meta.author,
      createdAt: now,
    });
    return {
      name,
      version,
      hash,
      parentVersion: parent,
      rationale: meta.rationale,
      author: meta.author,
      createdAt: now,
      created: true,
    };
  });
}

export async function requireVersion(db: Queryable, name: string, version: number): Promise<LibraryVersion> {
  await requireItem(db, name);
  const v = await getVersion(db, name, { version });
  if (!v) {
    const latest = await latestVersion(db, name);
    throw new LibraryError(
      `"${name}" has no version ${version}${latest ? `: versions are 1 to ${latest}` : ''}`,
      404,
      'version',
    );
  }
  return v;
}

export async function getContent(
  db: Queryable,
  name: string,
  ref: { version: number } | { hash: string },
): Promise<LibraryContent> {
  const contentRef = await getContentRef(db, name, ref);
  if (contentRef === undefined) throw new LibraryError(`"${name}" has no such version`, 404, 'version');
  return getJson<LibraryContent>(db, contentRef);
}
