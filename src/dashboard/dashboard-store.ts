import type { Queryable } from '../store/db';

/** The queries behind /dashboard (src/dashboard/data.ts shapes their rows into DashboardData). */

/** Names of the library's skills (items of kind skill). */
export async function librarySkillNames(db: Queryable): Promise<string[]> {
  return (await db.all<{ name: string }>("SELECT name FROM library_items WHERE kind = 'skill'")).map((r) => r.name);
}

/** Recorded runs created at or after since, per name: how many, and how many reported an error. */
export async function recordedRunsSince(
  db: Queryable,
  since: string,
): Promise<{ name: string; runs: number; errors: number }[]> {
  const rows = await db.all<{ name: string; runs: number; errors: number }>(
    `SELECT name, COUNT(*) AS runs, SUM(CASE WHEN error IS NULL OR error = '' THEN 0 ELSE 1 END) AS errors
     FROM prompt_runs WHERE created_at >= ? GROUP BY name`,
    [since],
  );
  return rows.map((r) => ({ name: r.name, runs: Number(r.runs), errors: Number(r.errors) }));
}

/** The skills of each tune run started at or after since (one list per run). */
export async function tunedSkillsSince(db: Queryable, since: string): Promise<string[][]> {
  const rows = await db.all<{ skills: string }>('SELECT skills FROM tune_runs WHERE started_at >= ?', [since]);
  return rows.map((row) => JSON.parse(row.skills) as string[]);
}

/** Eval runs started at or after since, counted per target. */
export async function evalRunsPerTargetSince(db: Queryable, since: string): Promise<{ target: string; n: number }[]> {
  return db.all<{ target: string; n: number }>(
    'SELECT target, COUNT(*) AS n FROM eval_runs WHERE started_at >= ? GROUP BY target',
    [since],
  );
}

export interface TuneRunRow {
  run_id: string;
  workflow_id: string;
  skills: string;
  status: string;
  started_at: string;
  started_by: string;
  best_score: number | null;
}

async function tuneRunRows(db: Queryable, where: string, params: string[], limit: number): Promise<TuneRunRow[]> {
  return db.all<TuneRunRow>(
    `SELECT run_id, workflow_id, skills, status, started_at, started_by, best_score FROM tune_runs
     WHERE ${where} ORDER BY started_at DESC, run_id LIMIT ?`,
    [...params, limit],
  );
}

/** The newest tune runs (at most limit) started at or after since. */
export async function tuneRunsStartedSince(db: Queryable, since: string, limit: number): Promise<TuneRunRow[]> {
  return tuneRunRows(db, 'started_at >= ?', [since], limit);
}

/** The newest tune runs (at most limit) stalled and waiting for a human decision, whenever they started. */
export async function tuneRunsAwaitingDecision(db: Queryable, limit: number): Promise<TuneRunRow[]> {
  return tuneRunRows(db, "status = 'awaiting-decision'", [], limit);
}

/** The score of every iteration of the given runs, by run then iteration. */
export async function iterationScores(
  db: Queryable,
  runIds: string[],
): Promise<{ run_id: string; iteration: number; score: number | null }[]> {
  if (runIds.length === 0) return []; // `IN ()` is not SQL
  return db.all<{ run_id: string; iteration: number; score: number | null }>(
    `SELECT run_id, iteration, score FROM tune_iterations WHERE run_id IN (${runIds.map(() => '?').join(', ')})
     ORDER BY run_id, iteration`,
    runIds,
  );
}

/** Model calls made at or after since: how many, tokens in and out, cost (sums are null when there were none). */
export async function providerTotalsSince(
  db: Queryable,
  since: string,
): Promise<{ calls: number; input: number | null; output: number | null; cost: number | null } | undefined> {
  return db.get<{ calls: number; input: number | null; output: number | null; cost: number | null }>(
    `SELECT COUNT(*) AS calls, SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cost_usd) AS cost
     FROM provider_calls WHERE created_at >= ?`,
    [since],
  );
}
