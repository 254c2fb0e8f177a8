import type { Queryable, SqlValue } from '../store/db';
import type { LibraryKind } from './content';

/**
 * Library items and their immutable versions (tables library_items, library_versions). The rules around
 * them (valid names, the path policy, content addressing) live in versions.ts, which calls these.
 */

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

/** The fields of an item a caller sets; lists are stored as JSON arrays, tags deduplicated and sorted. */
export interface ItemFields {
  owner: string;
  contributors: string[];
  consumers: string[];
  tags: string[];
  description: string;
}

/** Inserts the item unless one of that name exists (then nothing changes). */
export async function insertItemIfMissing(
  tx: Queryable,
  name: string,
  kind: LibraryKind,
  fields: ItemFields,
  now: string,
): Promise<void> {
  await tx.run(
    `INSERT INTO library_items (name, kind, owner, contributors, consumers, tags, description, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [name, kind, ...itemFieldValues(fields), now, now],
  );
}

/** The editable fields as their columns hold them: lists as JSON, tags deduplicated and sorted. */
function itemFieldValues(fields: ItemFields): SqlValue[] {
  return [
    fields.owner,
    JSON.stringify(fields.contributors),
    JSON.stringify(fields.consumers),
    JSON.stringify([...new Set(fields.tags)].sort()),
    fields.description,
  ];
}

export async function getItem(db: Queryable, name: string): Promise<LibraryItem | undefined> {
  const row = await db.get<ItemRow>('SELECT * FROM library_items WHERE name = ?', [name]);
  return row ? toItem(row) : undefined;
}

/** Overwrites the item's editable fields (not its name, kind or creation time). */
export async function updateItemFields(db: Queryable, name: string, fields: ItemFields, now: string): Promise<void> {
  await db.run(
    'UPDATE library_items SET owner = ?, contributors = ?, consumers = ?, tags = ?, description = ?, updated_at = ? WHERE name = ?',
    [...itemFieldValues(fields), now, name],
  );
}

/**
 * Locks the item's row until the transaction ends (PostgreSQL only: SQLite serialises writers already), so
 * two pushes of one name at once cannot both take MAX(version) + 1.
 */
export async function lockItem(tx: Queryable, name: string): Promise<void> {
  await tx.get('SELECT name FROM library_items WHERE name = ? FOR UPDATE', [name]);
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

/** Stores a new version row; its content is stored already (contentRef names the blob). */
export async function insertVersion(tx: Queryable, v: LibraryVersion & { contentRef: string }): Promise<void> {
  await tx.run(
    `INSERT INTO library_versions (name, version, hash, content_ref, parent_version, rationale, author, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [v.name, v.version, v.hash, v.contentRef, v.parentVersion, v.rationale, v.author, v.createdAt],
  );
}

/** The blob that holds a version's content, or undefined when name has no such version. */
export async function getContentRef(
  db: Queryable,
  name: string,
  ref: { version: number } | { hash: string },
): Promise<string | undefined> {
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
  return row?.content_ref;
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

/** What library search filters on; every given field must match. */
export interface ItemFilter {
  q?: string;
  tag?: string;
  owner?: string;
  name?: string;
  kind?: 'prompt' | 'skill';
}

/** Names of the items that match filter, by name, at most limit. q matches name, description, tags or owner. */
export async function searchItemNames(db: Queryable, filter: ItemFilter, limit: number): Promise<string[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.name) {
    where.push('name = ?');
    params.push(filter.name);
  }
  if (filter.owner) {
    where.push('owner = ?');
    params.push(filter.owner);
  }
  if (filter.kind) {
    where.push('kind = ?');
    params.push(filter.kind);
  }
  if (filter.tag) {
    // Tags are stored as a sorted JSON array of strings: match the quoted element.
    where.push('tags LIKE ?');
    params.push(`%${JSON.stringify(filter.tag)}%`);
  }
  if (filter.q) {
    where.push('(LOWER(name) LIKE ? OR LOWER(description) LIKE ? OR LOWER(tags) LIKE ? OR LOWER(owner) LIKE ?)');
    const like = `%${filter.q.toLowerCase()}%`;
    params.push(like, like, like, like);
  }
  const rows = await db.all<{ name: string }>(
    `SELECT name FROM library_items${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY name LIMIT ?`,
    [...params, limit],
  );
  return rows.map((r) => r.name);
}
