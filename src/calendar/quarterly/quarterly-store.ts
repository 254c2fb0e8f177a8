import type { Queryable } from '../../store/db';

/** The reads of the quarterly audit and dataset refresh review: the library as of a time, and production inputs. */

export interface LibraryItemRow {
  name: string;
  kind: string;
  owner: string;
  /** JSON array of tags, as stored. */
  tags: string;
}

/** Every library item created by asOf, by name. */
export async function libraryItemsCreatedBy(db: Queryable, asOf: string): Promise<LibraryItemRow[]> {
  return db.all<LibraryItemRow>(
    'SELECT name, kind, owner, tags FROM library_items WHERE created_at <= ? ORDER BY name',
    [asOf],
  );
}

const lastAtByName = async (db: Queryable, sql: string, asOf: string) =>
  new Map(
    (await db.all<{ name: string; last_at: string }>(sql, [asOf])).map((r) => [r.name, String(r.last_at)] as const),
  );

/** Per item, when its newest version by asOf was created. */
export function lastVersionAt(db: Queryable, asOf: string): Promise<Map<string, string>> {
  return lastAtByName(
    db,
    'SELECT name, MAX(created_at) AS last_at FROM library_versions WHERE created_at <= ? GROUP BY name',
    asOf,
  );
}

/** Per item, when it last ran in production by asOf. */
export function lastRunAt(db: Queryable, asOf: string): Promise<Map<string, string>> {
  return lastAtByName(
    db,
    'SELECT name, MAX(created_at) AS last_at FROM prompt_runs WHERE created_at <= ? GROUP BY name',
    asOf,
  );
}

/** The items some dataset targets. */
export async function datasetTargets(db: Queryable): Promise<Set<string>> {
  return new Set(
    (await db.all<{ target: string }>('SELECT DISTINCT target FROM datasets WHERE target IS NOT NULL')).map(
      (r) => r.target,
    ),
  );
}

/** The same targets, sorted: the dataset refresh review walks them in order. */
export async function datasetTargetsByName(db: Queryable): Promise<string[]> {
  const rows = await db.all<{ target: string }>(
    'SELECT DISTINCT target FROM datasets WHERE target IS NOT NULL ORDER BY target',
  );
  return rows.map((r) => r.target);
}

/** Each item's production version. */
export async function productionVersionByName(db: Queryable): Promise<Map<string, number>> {
  return new Map(
    (
      await db.all<{ name: string; version: number }>("SELECT name, version FROM labels WHERE label = 'production'")
    ).map((r) => [r.name, Number(r.version)] as const),
  );
}

/** The newest `limit` recorded production inputs of name in (since, until]. */
export async function recentProductionInputs(
  db: Queryable,
  name: string,
  since: string,
  until: string,
  limit: number,
): Promise<string[]> {
  const rows = await db.all<{ input: string }>(
    `SELECT input FROM prompt_runs WHERE name = ? AND input IS NOT NULL AND created_at > ? AND created_at <= ?
           ORDER BY created_at DESC LIMIT ?`,
    [name, since, until, limit],
  );
  return rows.map((r) => r.input);
}
