import type { Queryable } from '../store/db';

/**
 * Runs applications recorded (prompt_runs) and the feedback on them (feedback). The rules around them (what a
 * run or a piece of feedback must hold, which run feedback belongs to) live in records.ts, which calls these.
 */

/** One recorded run as stored: booleans as 1/0 (null: not reported). */
export interface RunRow {
  id: string;
  name: string;
  version: number;
  unitId: string | null;
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  error: string | null;
  formatOk: number | null;
  corrected: number;
  regenerated: number;
  input: string | null;
  output: string | null;
  createdAt: string;
  model: string | null;
}

/** Stores a run unless its id was stored before: true when this call stored it. */
export async function insertRun(tx: Queryable, r: RunRow): Promise<boolean> {
  const res = await tx.run(
    `INSERT INTO prompt_runs (id, name, version, unit_id, latency_ms, input_tokens, output_tokens, error, format_ok, corrected, regenerated, input, output, created_at, model)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      r.id,
      r.name,
      r.version,
      r.unitId,
      r.latencyMs,
      r.inputTokens,
      r.outputTokens,
      r.error,
      r.formatOk,
      r.corrected,
      r.regenerated,
      r.input,
      r.output,
      r.createdAt,
      r.model,
    ],
  );
  return res.changes === 1;
}

/** The name and version a recorded run ran, or undefined when no run has that id. */
export async function getRunVersion(
  tx: Queryable,
  runId: string,
): Promise<{ name: string; version: number } | undefined> {
  return tx.get<{ name: string; version: number }>('SELECT name, version FROM prompt_runs WHERE id = ?', [runId]);
}

/** One piece of feedback as stored: thumbs 1 (up), -1 (down) or null. */
export interface FeedbackRow {
  id: string;
  runId: string | null;
  name: string;
  version: number;
  thumbs: number | null;
  rating: number | null;
  correction: string | null;
  comment: string | null;
  userId: string | null;
  createdAt: string;
}

/** Stores feedback unless its id was stored before: true when this call stored it. */
export async function insertFeedback(tx: Queryable, f: FeedbackRow): Promise<boolean> {
  const res = await tx.run(
    `INSERT INTO feedback (id, run_id, name, version, thumbs, rating, correction, comment, user_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [f.id, f.runId, f.name, f.version, f.thumbs, f.rating, f.correction, f.comment, f.userId, f.createdAt],
  );
  return res.changes === 1;
}

/** One version's recorded runs: errors, format checks and passes, corrections and regenerations. */
export interface RunOutcomes {
  version: number;
  n: number;
  errors: number;
  fmt_n: number;
  fmt_ok: number;
  corrected: number;
  regenerated: number;
}

/** Per version of name: recorded runs, errors, format checks and passes, corrections and regenerations. */
export async function runOutcomesByVersion(db: Queryable, name: string): Promise<RunOutcomes[]> {
  return db.all<RunOutcomes>(
    `SELECT version, COUNT(*) AS n,
            SUM(CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END) AS errors,
            SUM(CASE WHEN format_ok IS NOT NULL THEN 1 ELSE 0 END) AS fmt_n,
            SUM(CASE WHEN format_ok = 1 THEN 1 ELSE 0 END) AS fmt_ok,
            SUM(corrected) AS corrected, SUM(regenerated) AS regenerated
     FROM prompt_runs WHERE name = ? GROUP BY version`,
    [name],
  );
}

/** Per version of name: thumbs up, thumbs down and the average rating (null when none was rated). */
export async function feedbackByVersion(
  db: Queryable,
  name: string,
): Promise<{ version: number; up: number; down: number; rating: number | null }[]> {
  return db.all<{ version: number; up: number; down: number; rating: number | null }>(
    `SELECT version, SUM(CASE WHEN thumbs = 1 THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN thumbs = -1 THEN 1 ELSE 0 END) AS down,
            AVG(rating) AS rating
     FROM feedback WHERE name = ? GROUP BY version`,
    [name],
  );
}

/** The version numbers of name, in order. */
export async function versionNumbers(db: Queryable, name: string): Promise<number[]> {
  const rows = await db.all<{ version: number }>(
    'SELECT version FROM library_versions WHERE name = ? ORDER BY version',
    [name],
  );
  return rows.map((r) => Number(r.version));
}

/** Every reported latency of name's runs, by version then latency. */
export async function runLatencies(db: Queryable, name: string): Promise<{ version: number; latency_ms: number }[]> {
  return db.all<{ version: number; latency_ms: number }>(
    'SELECT version, latency_ms FROM prompt_runs WHERE name = ? AND latency_ms IS NOT NULL ORDER BY version, latency_ms',
    [name],
  );
}

export interface LowRatedRow {
  id: string;
  version: number;
  thumbs: number | null;
  rating: number | null;
  correction: string | null;
  comment: string | null;
  created_at: string;
  run_id: string | null;
  run_input: string | null;
  run_error: string | null;
  run_latency_ms: number | null;
  run_format_ok: number | null;
  run_corrected: number | null;
  run_regenerated: number | null;
  run_at: string | null;
}

/**
 * Feedback on name with thumbs down or a rating at or below maxRating (of one version when given), newest
 * first, at most limit, each joined with its run when that run was recorded.
 */
export async function lowRatedFeedback(
  db: Queryable,
  name: string,
  opts: { version?: number; maxRating: number; limit: number },
): Promise<LowRatedRow[]> {
  const params: (string | number)[] = [name, opts.maxRating];
  if (opts.version !== undefined) params.push(opts.version);
  params.push(opts.limit);
  return db.all<LowRatedRow>(
    `SELECT f.id, f.version, f.thumbs, f.rating, f.correction, f.comment, f.created_at,
            r.id AS run_id, r.input AS run_input, r.error AS run_error, r.latency_ms AS run_latency_ms,
            r.format_ok AS run_format_ok, r.corrected AS run_corrected, r.regenerated AS run_regenerated,
            r.created_at AS run_at
     FROM feedback f LEFT JOIN prompt_runs r ON r.id = f.run_id
     WHERE f.name = ? AND (f.thumbs = -1 OR (f.rating IS NOT NULL AND f.rating <= ?))
     ${opts.version !== undefined ? 'AND f.version = ?' : ''}
     ORDER BY f.created_at DESC, f.id LIMIT ?`,
    params,
  );
}
