import { skillFilesProblem } from '../skills/path-policy';
import { getJson, putJson } from '../store/blobs';
import { missingFileBlobs } from '../store/file-blobs';
import { mediaTypeOf } from '../skills/media-types';
import type { Db, Queryable } from '../store/db';
import { contentHash, kindOf, normalizeSkill, type LibraryContent, type LibraryKind } from './content';
import { LibraryError } from './errors';

export interface LibraryItem {
  name: string;
  kind: LibraryKind;
  owner: string;
  contributors: string[];
  consumers: string[];
  tags: string[];
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface LibraryVersion {
  name: string;
  version: number;
  hash: string;
  parentVersion: number | null;
  rationale: string;
  author: string;
  createdAt: string;
}

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

interface ItemRow {
  name: string;
  kind: string;
  owner: string;
  contributors: string;
  consumers: string;
  tags: string;
  description: string;
  created_at: string;
  updated_at: string;
}
interface VersionRow {
  name: string;
  version: number;
  hash: string;
  content_ref: string;
  parent_version: number | null;
  rationale: string;
  author: string;
  created_at: string;
}

const toItem = (r: ItemRow): LibraryItem => ({
  name: r.name,
  kind: r.kind as LibraryKind,
  owner: r.owner,
  contributors: JSON.parse(r.contributors) as string[],
  consumers: JSON.parse(r.consumers) as string[],
  tags: JSON.parse(r.tags) as string[],
  description: r.description,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toVersion = (r: VersionRow): LibraryVersion => ({
  name: r.name,
  version: Number(r.version),
  hash: r.hash,
  parentVersion: r.parent_version === null ? null : Number(r.parent_version),
  rationale: r.rationale,
  author: r.author,
  createdAt: r.created_at,
});

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
  await tx.run(
    `INSERT INTO library_items (name, kind, owner, contributors, consumers, tags, description, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      name,
      kind,
      meta.owner,
      JSON.stringify(meta.contributors ?? []),
      JSON.stringify(meta.consumers ?? []),
      JSON.stringify([...new Set(meta.tags ?? [])].sort()),
      meta.description ?? '',
      now,
      now,
    ],
  );
  const item = toItem((await tx.get<ItemRow>('SELECT * FROM library_items WHERE name = ?', [name]))!);
  if (item.kind !== kind) throw new LibraryError(`"${name}" is a ${item.kind}, not a ${kind}`, 409, 'name');
  return item;
}

export async function getItem(db: Queryable, name: string): Promise<LibraryItem | undefined> {
  const row = await db.get<ItemRow>('SELECT * FROM library_items WHERE name = ?', [name]);
  return row ? toItem(row) : undefined;
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
  await db.run(
    'UPDATE library_items SET owner = ?, contributors = ?, consumers = ?, tags = ?, description = ?, updated_at = ? WHERE name = ?',
    [
      next.owner,
      JSON.stringify(next.contributors),
      JSON.stringify(next.consumers),
      JSON.stringify([...new Set(next.tags)].sort()),
      next.description,
      new Date().toISOString(),
      name,
    ],
  );
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
    if (db.dialect === 'postgres') await tx.get('SELECT name FROM library_items WHERE name = ? FOR UPDATE', [name]);
    const existing = await tx.get<VersionRow>('SELECT * FROM library_versions WHERE name = ? AND hash = ?', [
      name,
      hash,
    ]);
    if (existing) return { ...toVersion(existing), created: false };
    const latest = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM library_versions WHERE name = ?', [
      name,
    ]);
    const version = Number(latest?.v ?? 0) + 1;
    const contentRef = await putJson(tx, content);
    const now = new Date().toISOString();
    const parent =
      meta.parentVersion === undefined
        ? latest?.v === null || latest?.v === undefined
          ? null
          : Number(latest.v)
        : meta.parentVersion;
    await tx.run(
      `INSERT INTO library_versions (name, version, hash, content_ref, parent_version, rationale, author, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [name, version, hash, contentRef, parent, meta.rationale, meta.author, now],
    );
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

export async function getVersion(
  db: Queryable,
  name: string,
  ref: { version: number } | { hash: string },
): Promise<LibraryVersion | undefined> {
  const row =
    'version' in ref
      ? await db.get<VersionRow>('SELECT * FROM library_versions WHERE name = ? AND version = ?', [name, ref.version])
      : await db.get<VersionRow>('SELECT * FROM library_versions WHERE name = ? AND hash = ?', [name, ref.hash]);
  return row ? toVersion(row) : undefined;
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
  const row =
    'version' in ref
      ? await db.get<{ content_ref: string }>(
          'SELECT content_ref FROM library_versions WHERE name = ? AND version = ?',
          [name, ref.version],
        )
      : await db.get<{ content_ref: string }>('SELECT content_ref FROM library_versions WHERE name = ? AND hash = ?', [
          name,
          ref.hash,
        ]);
  if (!row) throw new LibraryError(`"${name}" has no such version`, 404, 'version');
  return getJson<LibraryContent>(db, row.content_ref);
}

export async function listVersions(db: Queryable, name: string): Promise<LibraryVersion[]> {
  return (await db.all<VersionRow>('SELECT * FROM library_versions WHERE name = ? ORDER BY version', [name])).map(
    toVersion,
  );
}

export async function latestVersion(db: Queryable, name: string): Promise<number | undefined> {
  const row = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM library_versions WHERE name = ?', [
    name,
  ]);
  return row?.v === null || row?.v === undefined ? undefined : Number(row.v);
}
