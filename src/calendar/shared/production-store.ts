import type { Queryable } from '../../store/db';

/** What the calendar reviews and re-runs: every library item's production version. */

export interface ReviewedVersion {
  name: string;
  version: number;
  owner: string | null;
}

/** Every library item's production version: what the calendar reviews. */
export async function productionVersions(db: Queryable): Promise<ReviewedVersion[]> {
  const rows = await db.all<{ name: string; version: number; owner: string | null }>(
    `SELECT l.name AS name, l.version AS version, i.owner AS owner
     FROM labels l JOIN library_items i ON i.name = l.name WHERE l.label = 'production' ORDER BY l.name`,
  );
  return rows.map((r) => ({ name: r.name, version: Number(r.version), owner: r.owner ?? null }));
}

/** Every item with a production label, with its kind: what the monthly run re-evaluates. */
export async function productionItems(db: Queryable): Promise<{ name: string; version: number; kind: string }[]> {
  return db.all<{ name: string; version: number; kind: string }>(
    `SELECT l.name AS name, l.version AS version, i.kind AS kind FROM labels l
         JOIN library_items i ON i.name = l.name WHERE l.label = 'production' ORDER BY l.name`,
  );
}
