import type { Queryable, SqlValue } from '../store/db';
import type { ItemContribution } from './contribution';

/**
 * Contribution per person and library item, from what the store already records (no table of its own):
 * - versions to production: library versions the person authored that a production label move ever pointed at;
 * - improvements shipped: optimizer runs the person started whose chosen version (optimize_evidence)
 *   reached production, credited to the starter whoever the version's author is;
 * - cases contributed: review cases the person accepted (the reviewer turned production evidence into a case);
 * - feedback resolved: feedback on cases the person accepted, once a newer version of that item reached
 *   production after the review — the feedback whose case was accepted and shipped.
 * A contribution counts in a window when the step completing it happened in the window: the version's first
 * production move, the review, the first production move of a newer version after the review.
 */
export interface ContributionWindow {
  /** Inclusive lower bound (ISO time). */
  since?: string;
  /** Inclusive upper bound (ISO time). */
  until?: string;
  /** Only these items (library search: the hits shown). */
  names?: string[];
}

/** When each version of each item first became production. */
const FIRST_PRODUCTION = `SELECT name, to_version, MIN(moved_at) AS shipped_at FROM label_moves
  WHERE label = 'production' GROUP BY name, to_version`;

function filters(column: { at: string; name: string }, w: ContributionWindow): { sql: string; params: SqlValue[] } {
  const sql: string[] = [];
  const params: SqlValue[] = [];
  if (w.since) {
    sql.push(`${column.at} >= ?`);
    params.push(w.since);
  }
  if (w.until) {
    sql.push(`${column.at} <= ?`);
    params.push(w.until);
  }
  if (w.names) {
    sql.push(`${column.name} IN (${w.names.map(() => '?').join(', ')})`);
    params.push(...w.names);
  }
  return { sql: sql.map((s) => ` AND ${s}`).join(''), params };
}

type Row = { person: string; name: string; n: number | string };

export async function contributionsByItem(db: Queryable, w: ContributionWindow = {}): Promise<ItemContribution[]> {
  if (w.names && w.names.length === 0) return [];
  const byKey = new Map<string, ItemContribution>();
  const entry = (person: string, name: string) => {
    const key = JSON.stringify([person, name]);
    let e = byKey.get(key);
    if (!e) {
      e = { person, name, versionsToProduction: 0, improvementsShipped: 0, casesContributed: 0, feedbackResolved: 0 };
      byKey.set(key, e);
    }
    return e;
  };

  const versions = filters({ at: 'p.shipped_at', name: 'v.name' }, w);
  for (const r of await db.all<Row>(
    `SELECT v.author AS person, v.name AS name, COUNT(*) AS n
     FROM library_versions v JOIN (${FIRST_PRODUCTION}) p ON p.name = v.name AND p.to_version = v.version
     WHERE 1 = 1${versions.sql} GROUP BY v.author, v.name`,
    versions.params,
  ))
    entry(r.person, r.name).versionsToProduction += Number(r.n);

  const improvements = filters({ at: 'p.shipped_at', name: 'e.name' }, w);
  for (const r of await db.all<Row>(
    `SELECT t.started_by AS person, e.name AS name, COUNT(*) AS n
     FROM optimize_evidence e JOIN tune_runs t ON t.run_id = e.run_id
       JOIN (${FIRST_PRODUCTION}) p ON p.name = e.name AND p.to_version = e.version
     WHERE 1 = 1${improvements.sql} GROUP BY t.started_by, e.name`,
    improvements.params,
  ))
    entry(r.person, r.name).improvementsShipped += Number(r.n);

  const cases = filters({ at: 'reviewed_at', name: 'name' }, w);
  for (const r of await db.all<Row>(
    `SELECT reviewer AS person, name, COUNT(*) AS n FROM review_cases
     WHERE status = 'accepted' AND reviewer IS NOT NULL${cases.sql} GROUP BY reviewer, name`,
    cases.params,
  ))
    entry(r.person, r.name).casesContributed += Number(r.n);

  // A case keeps the feedback ids it was harvested from (JSON): count distinct ids per person and item.
  const resolved = filters({ at: 'resolved_at', name: 'name' }, w);
  const seen = new Map<string, Set<string>>();
  for (const r of await db.all<{ person: string; name: string; feedback: string }>(
    `SELECT person, name, feedback FROM (
       SELECT c.reviewer AS person, c.name AS name, c.feedback AS feedback,
         (SELECT MIN(m.moved_at) FROM label_moves m WHERE m.name = c.name AND m.label = 'production'
            AND m.to_version > c.version AND m.moved_at >= c.reviewed_at) AS resolved_at
       FROM review_cases c WHERE c.status = 'accepted' AND c.reviewer IS NOT NULL
     ) accepted WHERE resolved_at IS NOT NULL${resolved.sql}`,
    resolved.params,
  )) {
    const key = JSON.stringify([r.person, r.name]);
    const ids = seen.get(key) ?? new Set<string>();
    seen.set(key, ids);
    for (const f of JSON.parse(r.feedback) as { id: string }[]) ids.add(f.id);
  }
  for (const [key, ids] of seen) {
    const [person, name] = JSON.parse(key) as [string, string];
    entry(person, name).feedbackResolved += ids.size;
  }
  return [...byKey.values()];
}
