import type { Db, SqlValue } from '../store/db';
import type { ArmCounts } from './guard';
import { addSample, emptyStats } from './guard/sample-stats';

/**
 * The live signals of one arm of an experiment (a rollout or an A/B test), kept incrementally: each look
 * folds in only the runs and feedback recorded since the previous look, from a cursor stored with the
 * aggregate, so a look costs O(new rows) however long the experiment has run and however many runs the
 * store holds.
 *
 * Cursors. SQLite serialises writers and gives a new row the largest rowid so far + 1, so "rowid ≤ the
 * largest rowid now" is a prefix that later commits never add to (nothing deletes runs or feedback, nor
 * runs VACUUM, which may renumber the rowids of these tables: either would call for dropping the stored
 * aggregates). PostgreSQL hands out ids before commit,
 * in an order commits do not follow, so there the cursor is the transaction id of the insert (column
 * `tx`): every transaction older than the oldest one still running (the snapshot's xmin) has finished, so
 * rows with tx below that horizon can no longer appear. A long-open transaction elsewhere holds the horizon
 * back; looks then fold later, never wrongly. Runs and feedback have their own cursors: feedback is
 * recorded after its run, sometimes long after, and is counted when it arrives, as the full count did.
 *
 * Concurrency: the counts and their cursors are one row, written together, so a stored state always
 * holds exactly the rows up to its cursors. A look writes back only if no other look wrote in between
 * (compare-and-set on the look counter): adding its rows to a state it did not read would count rows
 * twice, and overwriting a newer state would move the cursors back. The loser starts over from the
 * winner's state.
 */
export interface ArmKey {
  /** The rollout or A/B test id: aggregates of different experiments never mix. */
  experimentId: string;
  name: string;
  version: number;
  /** Runs and feedback stamped at or after this time count (the experiment's start). */
  since: string;
}

export function emptyArmCounts(): ArmCounts {
  return {
    runs: 0,
    errors: 0,
    formatJudged: 0,
    formatFailed: 0,
    thumbsUp: 0,
    thumbsDown: 0,
    correctedOrRegenerated: 0,
    latency: emptyStats(),
    tokens: emptyStats(),
  };
}

const MAX_ATTEMPTS = 10;

/** The arm's counts since key.since, with the rows recorded since the last look folded in. */
export async function foldArmCounts(db: Db, key: ArmKey): Promise<ArmCounts> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await db.get<{ run_cursor: string; feedback_cursor: string; counts: string; looks: number }>(
      'SELECT run_cursor, feedback_cursor, counts, looks FROM arm_aggregates WHERE experiment_id = ? AND version = ? AND since = ?',
      [key.experimentId, key.version, key.since],
    );
    const horizon = await horizons(db);
    const counts = stored ? (JSON.parse(stored.counts) as ArmCounts) : emptyArmCounts();
    const from = stored ? { runs: String(stored.run_cursor), feedback: String(stored.feedback_cursor) } : undefined;
    await foldRuns(db, key, counts, rangeSql(db, from?.runs, horizon.runs));
    await foldFeedback(db, key, counts, rangeSql(db, from?.feedback, horizon.feedback));
    const now = new Date().toISOString();
    const written = stored
      ? await db.run(
          `UPDATE arm_aggregates SET run_cursor = ?, feedback_cursor = ?, counts = ?, looks = looks + 1, updated_at = ?
           WHERE experiment_id = ? AND version = ? AND since = ? AND looks = ?`,
          [
            horizon.runs,
            horizon.feedback,
            JSON.stringify(counts),
            now,
            key.experimentId,
            key.version,
            key.since,
            Number(stored.looks),
          ],
        )
      : await db.run(
          `INSERT INTO arm_aggregates (experiment_id, version, since, name, run_cursor, feedback_cursor, counts, looks, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING`,
          [
            key.experimentId,
            key.version,
            key.since,
            key.name,
            horizon.runs,
            horizon.feedback,
            JSON.stringify(counts),
            now,
          ],
        );
    // Another look wrote first: what this one folded may overlap what that one stored, so start over.
    if (written.changes === 1) return counts;
  }
  throw new Error(
    `arm aggregate ${key.experimentId} v${key.version}: other looks kept writing it (${MAX_ATTEMPTS} attempts); retry`,
  );
}

/**
 * The same counts by reading every row since key.since: O(rows since the start). The reference the
 * incremental fold is tested against, and the cost the bench compares it with; looks never call it.
 */
export async function recountArmCounts(db: Db, name: string, version: number, since: string): Promise<ArmCounts> {
  const counts = emptyArmCounts();
  const key = { experimentId: '', name, version, since };
  await foldRuns(db, key, counts, EVERYTHING);
  await foldFeedback(db, key, counts, EVERYTHING);
  return counts;
}

interface Range {
  /** How the time filter names its column: `+created_at` keeps SQLite off the time index. */
  time: string;
  sql: string;
  params: SqlValue[];
}

const EVERYTHING: Range = { time: 'created_at', sql: '', params: [] };

async function horizons(db: Db): Promise<{ runs: string; feedback: string }> {
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

/**
 * The rows of `table` between the stored cursor and the horizon. On the first look (no cursor) the
 * (name, version, created_at) index finds the rows since the start, so a store full of older runs is not
 * scanned; on later looks the cursor's index does, and the time filter only rejects rows stamped before
 * the start (SQLite's unary + keeps the planner on the cursor's index, which it cannot tell apart
 * without statistics).
 */
function rangeSql(db: Db, from: string | undefined, to: string): Range {
  if (db.dialect === 'postgres')
    return from === undefined
      ? { time: 'created_at', sql: ' AND tx < CAST(? AS xid8)', params: [to] }
      : { time: 'created_at', sql: ' AND tx >= CAST(? AS xid8) AND tx < CAST(? AS xid8)', params: [from, to] };
  return from === undefined
    ? { time: 'created_at', sql: ' AND rowid <= ?', params: [Number(to)] }
    : { time: '+created_at', sql: ' AND rowid > ? AND rowid <= ?', params: [Number(from), Number(to)] };
}

async function foldRuns(db: Db, key: ArmKey, counts: ArmCounts, range: Range): Promise<void> {
  const rows = await db.all<{
    err: number;
    format_ok: number | null;
    fixed: number;
    latency_ms: number | null;
    tokens: number | null;
  }>(
    `SELECT CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END AS err, format_ok,
            CASE WHEN corrected = 1 OR regenerated = 1 THEN 1 ELSE 0 END AS fixed,
            latency_ms, COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) AS tokens
     FROM prompt_runs WHERE name = ? AND version = ? AND ${range.time} >= ?${range.sql}`,
    [key.name, key.version, key.since, ...range.params],
  );
  for (const r of rows) {
    counts.runs += 1;
    counts.errors += Number(r.err);
    if (r.format_ok !== null) {
      counts.formatJudged += 1;
      if (Number(r.format_ok) === 0) counts.formatFailed += 1;
    }
    counts.correctedOrRegenerated += Number(r.fixed);
    if (r.latency_ms !== null) addSample(counts.latency, Number(r.latency_ms));
    // A call that recorded no tokens says nothing about tokens per call.
    const tokens = Number(r.tokens ?? 0);
    if (tokens > 0) addSample(counts.tokens, tokens);
  }
}

async function foldFeedback(db: Db, key: ArmKey, counts: ArmCounts, range: Range): Promise<void> {
  const f = await db.get<{ up: number | null; down: number | null }>(
    `SELECT SUM(CASE WHEN thumbs = 1 THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN thumbs = -1 THEN 1 ELSE 0 END) AS down
     FROM feedback WHERE name = ? AND version = ? AND ${range.time} >= ?${range.sql}`,
    [key.name, key.version, key.since, ...range.params],
  );
  counts.thumbsUp += Number(f?.up ?? 0);
  counts.thumbsDown += Number(f?.down ?? 0);
}
