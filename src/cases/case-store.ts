import type { Db, Queryable, SqlValue } from '../store/db';
import { insertRows } from '../store/evals';
import { LibraryError } from '../library/errors';
import { orderKinds, type FailureKind } from './failure-kinds';

/**
 * The review queue's SQL: harvest cursors, the runs and feedback a harvest reads, review cases and their
 * review, per-user feedback tendencies.
 *
 * Cursors follow src/rollout/arm-aggregate-store.ts: on SQLite the largest rowid now (a prefix later commits
 * never add to), on PostgreSQL the snapshot's xmin over the insert's transaction id (column `tx`), so a
 * harvest reads only rows recorded since the previous one and never misses one committed late.
 */

export type CaseStatus = 'pending' | 'skipped' | 'accepted' | 'rejected';
export const OPEN_STATUSES: readonly CaseStatus[] = ['pending', 'skipped'];

export interface CaseFeedback {
  id: string;
  thumbs: 'up' | 'down' | null;
  rating: number | null;
  correction: string | null;
  comment: string | null;
  userId: string | null;
  at: string;
}

export interface ReviewCase {
  caseId: string;
  name: string;
  version: number;
  runId: string | null;
  kind: FailureKind;
  kinds: FailureKind[];
  input: string | null;
  output: string | null;
  error: string | null;
  correction: string | null;
  feedback: CaseFeedback[];
  /** Near-identical inputs folded into this case. */
  duplicates: number;
  status: CaseStatus;
  expected: string | null;
  assertions: unknown[] | null;
  reason: string | null;
  reviewer: string | null;
  reviewedAt: string | null;
  dataset: string | null;
  datasetVersion: number | null;
  harvestId: string;
  runAt: string;
  createdAt: string;
}

interface CaseRow {
  case_id: string;
  name: string;
  version: number;
  run_id: string | null;
  kind: string;
  kinds: string;
  input: string | null;
  output: string | null;
  error: string | null;
  correction: string | null;
  feedback: string;
  duplicates: number;
  status: string;
  expected: string | null;
  assertions: string | null;
  reason: string | null;
  reviewer: string | null;
  reviewed_at: string | null;
  dataset: string | null;
  dataset_version: number | null;
  harvest_id: string;
  run_at: string;
  created_at: string;
}

const toCase = (r: CaseRow): ReviewCase => ({
  caseId: r.case_id,
  name: r.name,
  version: Number(r.version),
  runId: r.run_id,
  kind: r.kind as FailureKind,
  kinds: JSON.parse(r.kinds) as FailureKind[],
  input: r.input,
  output: r.output,
  error: r.error,
  correction: r.correction,
  feedback: JSON.parse(r.feedback) as CaseFeedback[],
  duplicates: Number(r.duplicates),
  status: r.status as CaseStatus,
  expected: r.expected,
  assertions: r.assertions === null ? null : (JSON.parse(r.assertions) as unknown[]),
  reason: r.reason,
  reviewer: r.reviewer,
  reviewedAt: r.reviewed_at,
  dataset: r.dataset,
  datasetVersion: r.dataset_version === null ? null : Number(r.dataset_version),
  harvestId: r.harvest_id,
  runAt: r.run_at,
  createdAt: r.created_at,
});

// ---------------------------------------------------------------- harvest reads

export interface HarvestCursor {
  runs: string;
  feedback: string;
  harvests: number;
}

export async function getHarvestCursor(db: Db, name: string): Promise<HarvestCursor | undefined> {
  const r = await db.get<{ run_cursor: string; feedback_cursor: string; harvests: number }>(
    'SELECT run_cursor, feedback_cursor, harvests FROM harvest_cursors WHERE name = ?',
    [name],
  );
  return r
    ? { runs: String(r.run_cursor), feedback: String(r.feedback_cursor), harvests: Number(r.harvests) }
    : undefined;
}

/** Where a harvest starting now stops: rows past it may still be uncommitted. */
export async function harvestHorizon(db: Db): Promise<{ runs: string; feedback: string }> {
  if (db.dialect === 'postgres') {
    const r = await db.get<{ h: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS h');
    return { runs: String(r!.h), feedback: String(r!.h) };
  }
  const r = await db.get<{ runs: number; feedback: number }>(
    `SELECT (SELECT COALESCE(MAX(rowid), 0) FROM prompt_runs) AS runs,
            (SELECT COALESCE(MAX(rowid), 0) FROM feedback) AS feedback`,
  );
  return { runs: String(r!.runs), feedback: String(r!.feedback) };
}

/** Rows to read: after the cursor (or, on a name's first harvest, stamped at or after `since`), up to the horizon. */
export type ReadRange = { from: string; to: string } | { since: string; to: string };

function rangeSql(db: Db, alias: string, range: ReadRange): { sql: string; params: SqlValue[] } {
  const pg = db.dialect === 'postgres';
  const col = pg ? `${alias}.tx` : `${alias}.rowid`;
  const cast = (p: string) => (pg ? `CAST(${p} AS xid8)` : p);
  const to = pg ? range.to : Number(range.to);
  if ('since' in range)
    return {
      sql: ` AND ${alias}.created_at >= ? AND ${col} ${pg ? '<' : '<='} ${cast('?')}`,
      params: [range.since, to],
    };
  const from = pg ? range.from : Number(range.from);
  // SQLite: the (name, version) index ends in the rowid, so this is one range seek; the unary + keeps the
  // planner off the time index, which it cannot tell apart without statistics.
  return pg
    ? { sql: ` AND ${col} >= ${cast('?')} AND ${col} < ${cast('?')}`, params: [from, to] }
    : { sql: ` AND ${col} > ? AND ${col} <= ?`, params: [from, to] };
}

export async function versionsOf(db: Db, name: string): Promise<number[]> {
  const rows = await db.all<{ version: number }>(
    'SELECT version FROM library_versions WHERE name = ? ORDER BY version',
    [name],
  );
  return rows.map((r) => Number(r.version));
}

export interface FailedRunRow {
  id: string;
  version: number;
  input: string | null;
  output: string | null;
  error: string | null;
  formatOk: boolean | null;
  corrected: boolean;
  regenerated: boolean;
  at: string;
}

/** Runs of name@version in range that show a failure signal of their own (error, format, correction, regeneration). */
export async function failedRuns(db: Db, name: string, version: number, range: ReadRange): Promise<FailedRunRow[]> {
  const r = rangeSql(db, 'r', range);
  const rows = await db.all<{
    id: string;
    input: string | null;
    output: string | null;
    error: string | null;
    format_ok: number | null;
    corrected: number;
    regenerated: number;
    created_at: string;
  }>(
    `SELECT r.id, r.input, r.output, r.error, r.format_ok, r.corrected, r.regenerated, r.created_at
     FROM prompt_runs r WHERE r.name = ? AND r.version = ?${r.sql}
       AND (r.error IS NOT NULL OR r.format_ok = 0 OR r.corrected = 1 OR r.regenerated = 1)`,
    [name, version, ...r.params],
  );
  return rows.map((x) => ({
    id: x.id,
    version,
    input: x.input,
    output: x.output,
    error: x.error,
    formatOk: x.format_ok === null ? null : Number(x.format_ok) === 1,
    corrected: Number(x.corrected) === 1,
    regenerated: Number(x.regenerated) === 1,
    at: x.created_at,
  }));
}

export interface FeedbackRow extends CaseFeedback {
  version: number;
  runId: string | null;
  run?: FailedRunRow;
}

/** Every feedback row of name@version in range (all of them feed user tendencies), with its run when known. */
export async function feedbackInRange(db: Db, name: string, version: number, range: ReadRange): Promise<FeedbackRow[]> {
  const r = rangeSql(db, 'f', range);
  const rows = await db.all<{
    id: string;
    run_id: string | null;
    thumbs: number | null;
    rating: number | null;
    correction: string | null;
    comment: string | null;
    user_id: string | null;
    created_at: string;
    r_id: string | null;
    input: string | null;
    output: string | null;
    error: string | null;
    format_ok: number | null;
    corrected: number | null;
    regenerated: number | null;
    r_at: string | null;
  }>(
    `SELECT f.id, f.run_id, f.thumbs, f.rating, f.correction, f.comment, f.user_id, f.created_at,
            r.id AS r_id, r.input, r.output, r.error, r.format_ok, r.corrected, r.regenerated, r.created_at AS r_at
     FROM feedback f LEFT JOIN prompt_runs r ON r.id = f.run_id
     WHERE f.name = ? AND f.version = ?${r.sql}`,
    [name, version, ...r.params],
  );
  return rows.map((x) => ({
    id: x.id,
    version,
    runId: x.run_id,
    thumbs: x.thumbs === null ? null : Number(x.thumbs) > 0 ? 'up' : 'down',
    rating: x.rating === null ? null : Number(x.rating),
    correction: x.correction,
    comment: x.comment,
    userId: x.user_id,
    at: x.created_at,
    run:
      x.r_id === null
        ? undefined
        : {
            id: x.r_id,
            version,
            input: x.input,
            output: x.output,
            error: x.error,
            formatOk: x.format_ok === null ? null : Number(x.format_ok) === 1,
            corrected: Number(x.corrected) === 1,
            regenerated: Number(x.regenerated) === 1,
            at: x.r_at!,
          },
  }));
}

export interface StoredFingerprint {
  caseId: string;
  runId: string | null;
  inputKey: string | null;
  simhash: string | null;
  status: CaseStatus;
}

/** Every case of name ever harvested, reviewed or not: reviewed inputs are never offered again. */
export async function caseFingerprints(db: Db, name: string): Promise<StoredFingerprint[]> {
  const rows = await db.all<{
    case_id: string;
    run_id: string | null;
    input_key: string | null;
    simhash: string | null;
    status: string;
  }>('SELECT case_id, run_id, input_key, simhash, status FROM review_cases WHERE name = ?', [name]);
  return rows.map((r) => ({
    caseId: r.case_id,
    runId: r.run_id,
    inputKey: r.input_key,
    simhash: r.simhash,
    status: r.status as CaseStatus,
  }));
}

// ---------------------------------------------------------------- harvest write

export interface NewCase {
  caseId: string;
  version: number;
  runId: string | null;
  kind: FailureKind;
  kinds: FailureKind[];
  input: string | null;
  output: string | null;
  error: string | null;
  correction: string | null;
  feedback: CaseFeedback[];
  inputKey: string | null;
  simhash: string | null;
  duplicates: number;
  runAt: string;
}

export interface CaseMerge {
  caseId: string;
  kinds: FailureKind[];
  feedback: CaseFeedback[];
  correction: string | null;
  duplicates: number;
}

export interface UserFold {
  userId: string;
  votes: number;
  thumbsDown: number;
  ratings: number;
  ratingSum: number;
}

/** Most feedback entries a case keeps: the newest; the count of folded duplicates says how many more there were. */
export const MAX_CASE_FEEDBACK = 20;

/**
 * Writes one harvest atomically: the new cases, the evidence merged into open cases, the user tendencies
 * and the moved cursor. Compare-and-set on the cursor's harvest counter: a harvest of the same name that
 * finished in between read the same rows, so this one is refused rather than adding them twice.
 */
export async function writeHarvest(
  db: Db,
  h: {
    name: string;
    harvestId: string;
    previous: HarvestCursor | undefined;
    cursor: { runs: string; feedback: string };
    cases: NewCase[];
    merges: CaseMerge[];
    users: UserFold[];
  },
): Promise<{ merged: number }> {
  const now = new Date().toISOString();
  return db.transaction(async (tx) => {
    const moved = h.previous
      ? await tx.run(
          'UPDATE harvest_cursors SET run_cursor = ?, feedback_cursor = ?, harvests = harvests + 1, updated_at = ? WHERE name = ? AND harvests = ?',
          [h.cursor.runs, h.cursor.feedback, now, h.name, h.previous.harvests],
        )
      : await tx.run(
          'INSERT INTO harvest_cursors (name, run_cursor, feedback_cursor, harvests, updated_at) VALUES (?, ?, ?, 1, ?) ON CONFLICT DO NOTHING',
          [h.name, h.cursor.runs, h.cursor.feedback, now],
        );
    if (moved.changes !== 1)
      throw new LibraryError(`another harvest of "${h.name}" finished while this one ran; run it again`, 409);
    // Multi-row statements: a day's harvest writes up to `limit` cases and a row per user who gave feedback,
    // and one round trip per row is what PostgreSQL makes slow.
    await insertRows(
      tx,
      `INSERT INTO review_cases (case_id, name, version, run_id, kind, kinds, input, output, error, correction, feedback,
         input_key, simhash, duplicates, status, harvest_id, run_at, created_at)`,
      'ON CONFLICT DO NOTHING',
      18,
      h.cases.map((c) => [
        c.caseId,
        h.name,
        c.version,
        c.runId,
        c.kind,
        JSON.stringify(c.kinds),
        c.input,
        c.output,
        c.error,
        c.correction,
        JSON.stringify(c.feedback.slice(-MAX_CASE_FEEDBACK)),
        c.inputKey,
        c.simhash,
        c.duplicates,
        'pending',
        h.harvestId,
        c.runAt,
        now,
      ]),
    );
    let merged = 0;
    const current = new Map<string, { kinds: string; feedback: string; correction: string | null; status: string }>();
    for (let i = 0; i < h.merges.length; i += 100) {
      const ids = h.merges.slice(i, i + 100).map((m) => m.caseId);
      const rows = await tx.all<{
        case_id: string;
        kinds: string;
        feedback: string;
        correction: string | null;
        status: string;
      }>(
        `SELECT case_id, kinds, feedback, correction, status FROM review_cases WHERE case_id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      for (const r of rows) current.set(r.case_id, r);
    }
    for (const m of h.merges) {
      const row = current.get(m.caseId);
      // Reviewed since the harvest read it: the evidence no longer changes anything.
      if (!row || !OPEN_STATUSES.includes(row.status as CaseStatus)) continue;
      const kinds = orderKinds([...(JSON.parse(row.kinds) as FailureKind[]), ...m.kinds]);
      const feedback = [...(JSON.parse(row.feedback) as CaseFeedback[]), ...m.feedback].slice(-MAX_CASE_FEEDBACK);
      await tx.run(
        'UPDATE review_cases SET kinds = ?, feedback = ?, correction = ?, duplicates = duplicates + ? WHERE case_id = ?',
        [JSON.stringify(kinds), JSON.stringify(feedback), row.correction ?? m.correction, m.duplicates, m.caseId],
      );
      merged++;
    }
    await insertRows(
      tx,
      'INSERT INTO feedback_users (name, user_id, votes, thumbs_down, ratings, rating_sum)',
      `ON CONFLICT (name, user_id) DO UPDATE SET votes = feedback_users.votes + excluded.votes,
         thumbs_down = feedback_users.thumbs_down + excluded.thumbs_down,
         ratings = feedback_users.ratings + excluded.ratings, rating_sum = feedback_users.rating_sum + excluded.rating_sum`,
      6,
      h.users.map((u) => [h.name, u.userId, u.votes, u.thumbsDown, u.ratings, u.ratingSum]),
    );
    return { merged };
  });
}

// ---------------------------------------------------------------- reading and reviewing the queue

export async function listCases(
  db: Db,
  name: string,
  opts: { statuses?: readonly CaseStatus[]; limit?: number } = {},
): Promise<ReviewCase[]> {
  const statuses = opts.statuses ?? OPEN_STATUSES;
  const rows = await db.all<CaseRow>(
    `SELECT * FROM review_cases WHERE name = ? AND status IN (${statuses.map(() => '?').join(', ')})
     ORDER BY CASE status WHEN 'pending' THEN 0 WHEN 'skipped' THEN 1 ELSE 2 END, created_at, case_id LIMIT ?`,
    [name, ...statuses, opts.limit ?? 1000],
  );
  return rows.map(toCase);
}

export async function getCase(db: Queryable, name: string, caseId: string): Promise<ReviewCase> {
  const row = await db.get<CaseRow>('SELECT * FROM review_cases WHERE name = ? AND case_id = ?', [name, caseId]);
  if (!row)
    throw new LibraryError(
      `no case "${caseId}" in the review queue of "${name}": see \`refinery cases review ${name} --list\``,
      404,
      'caseId',
    );
  return toCase(row);
}

export async function countCases(db: Db, name: string): Promise<Record<CaseStatus, number>> {
  const rows = await db.all<{ status: string; n: number }>(
    'SELECT status, COUNT(*) AS n FROM review_cases WHERE name = ? GROUP BY status',
    [name],
  );
  const out: Record<CaseStatus, number> = { pending: 0, skipped: 0, accepted: 0, rejected: 0 };
  for (const r of rows) out[r.status as CaseStatus] = Number(r.n);
  return out;
}

export type Decision =
  | { status: 'accepted'; expected: string | null; assertions: unknown[] | null }
  | { status: 'rejected'; reason: string }
  | { status: 'skipped' };

/** Records a decision on an open case; a case reviewed already is a 409 naming its status. */
export async function decideCase(
  db: Db,
  name: string,
  caseId: string,
  d: Decision,
  reviewer: string,
): Promise<ReviewCase> {
  return db.transaction(async (tx) => {
    const current = await getCase(tx, name, caseId);
    if (!OPEN_STATUSES.includes(current.status))
      throw new LibraryError(
        `case "${caseId}" was ${current.status} already (by ${current.reviewer ?? 'unknown'}); a reviewed case stays as decided`,
        409,
        'caseId',
      );
    const now = new Date().toISOString();
    const changed = await tx.run(
      `UPDATE review_cases SET status = ?, expected = ?, assertions = ?, reason = ?, reviewer = ?, reviewed_at = ?
       WHERE case_id = ? AND status = ?`,
      [
        d.status,
        d.status === 'accepted' ? d.expected : null,
        d.status === 'accepted' && d.assertions ? JSON.stringify(d.assertions) : null,
        d.status === 'rejected' ? d.reason : null,
        reviewer,
        now,
        caseId,
        current.status,
      ],
    );
    if (changed.changes !== 1) throw new LibraryError(`case "${caseId}" was reviewed meanwhile; look again`, 409);
    return getCase(tx, name, caseId);
  });
}

/** Accepted cases not yet in a dataset version. */
export async function unpublishedCases(db: Db, name: string): Promise<ReviewCase[]> {
  const rows = await db.all<CaseRow>(
    "SELECT * FROM review_cases WHERE name = ? AND status = 'accepted' AND dataset_version IS NULL ORDER BY reviewed_at, case_id",
    [name],
  );
  return rows.map(toCase);
}

export async function markPublished(db: Db, caseIds: string[], dataset: string, version: number): Promise<void> {
  await db.transaction(async (tx) => {
    for (const id of caseIds)
      await tx.run(
        'UPDATE review_cases SET dataset = ?, dataset_version = ? WHERE case_id = ? AND dataset_version IS NULL',
        [dataset, version, id],
      );
  });
}

export interface UserTendency {
  userId: string;
  votes: number;
  thumbsDownShare: number | null;
  ratings: number;
  averageRating: number | null;
}

/** Rating tendencies of the given users on name, and of everyone (userId '*'), from the folded counts. */
export async function userTendencies(db: Db, name: string, userIds: string[]): Promise<UserTendency[]> {
  const ids = [...new Set([ALL_USERS, ...userIds])];
  const rows = await db.all<{
    user_id: string;
    votes: number;
    thumbs_down: number;
    ratings: number;
    rating_sum: number;
  }>(
    `SELECT user_id, votes, thumbs_down, ratings, rating_sum FROM feedback_users WHERE name = ? AND user_id IN (${ids
      .map(() => '?')
      .join(', ')})`,
    [name, ...ids],
  );
  const round = (x: number) => Math.round(x * 100) / 100;
  return rows.map((r) => ({
    userId: r.user_id,
    votes: Number(r.votes),
    thumbsDownShare: Number(r.votes) > 0 ? round(Number(r.thumbs_down) / Number(r.votes)) : null,
    ratings: Number(r.ratings),
    averageRating: Number(r.ratings) > 0 ? round(Number(r.rating_sum) / Number(r.ratings)) : null,
  }));
}

/** The row of feedback_users that counts every user's feedback of a name: the baseline a user is compared with. */
export const ALL_USERS = '*';
