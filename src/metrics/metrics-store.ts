import type { Queryable } from '../store/db';

/**
 * Every workflow type's runs as one list of (type, status, started_at), read from the tables each
 * workflow keeps its record in: /metrics counts them and /dashboard buckets them per day. The API has no
 * Temporal client, so the store is the only source; a run that never wrote its row is not seen. A tune
 * survives failed iterations by design, so one that ended because its error budget was spent counts as
 * failed.
 */
const WORKFLOW_RUNS_SQL = `
  SELECT 'tune' AS type, CASE WHEN termination = 'error-budget' THEN 'failed' ELSE status END AS status, started_at
  FROM tune_runs
  UNION ALL SELECT 'eval' AS type, status, started_at FROM eval_runs
  UNION ALL SELECT CASE WHEN kind = 'ab' THEN 'ab-test' ELSE 'rollout' END AS type, status, started_at FROM rollouts
  UNION ALL SELECT 'calendar-' || period AS type, status, started_at FROM calendar_runs`;

/** Workflow runs of every type, counted per type and status. */
export async function countWorkflowRuns(db: Queryable): Promise<{ type: string; status: string; n: number }[]> {
  return db.all<{ type: string; status: string; n: number }>(
    `SELECT type, status, COUNT(*) AS n FROM (${WORKFLOW_RUNS_SQL}) runs GROUP BY type, status`,
  );
}

/** Workflow runs started at or after since, counted per type, status and UTC day (YYYY-MM-DD). */
export async function countWorkflowRunsPerDay(
  db: Queryable,
  since: string,
): Promise<{ type: string; status: string; day: string; n: number }[]> {
  return db.all<{ type: string; status: string; day: string; n: number }>(
    `SELECT type, status, substr(started_at, 1, 10) AS day, COUNT(*) AS n FROM (${WORKFLOW_RUNS_SQL}) runs
     WHERE started_at >= ? GROUP BY type, status, substr(started_at, 1, 10)`,
    [since],
  );
}

/** Alerts counted per severity and status. */
export async function countAlertsBySeverity(db: Queryable): Promise<{ severity: string; status: string; n: number }[]> {
  return db.all<{ severity: string; status: string; n: number }>(
    'SELECT severity, status, COUNT(*) AS n FROM alerts GROUP BY severity, status',
  );
}

/**
 * The newest tune runs (at most limit), each with its recorded best score and its best iteration's score
 * (what stands in while the run is still going).
 */
export async function recentTuneScores(
  db: Queryable,
  limit: number,
): Promise<{ run_id: string; skills: string; best_score: number | null; best_iteration: number | null }[]> {
  return db.all<{
    run_id: string;
    skills: string;
    best_score: number | null;
    best_iteration: number | null;
  }>(
    `SELECT r.run_id, r.skills, r.best_score, MAX(i.score) AS best_iteration
     FROM tune_runs r LEFT JOIN tune_iterations i ON i.run_id = r.run_id
     GROUP BY r.run_id, r.skills, r.best_score, r.started_at
     ORDER BY r.started_at DESC, r.run_id LIMIT ?`,
    [limit],
  );
}

/** Model calls per provider and model: how many, tokens in and out, cost. */
export async function providerCallTotals(
  db: Queryable,
): Promise<{ provider: string; model: string; calls: number; input: number; output: number; cost: number }[]> {
  return db.all<{
    provider: string;
    model: string;
    calls: number;
    input: number;
    output: number;
    cost: number;
  }>(
    `SELECT provider, model, COUNT(*) AS calls, SUM(input_tokens) AS input, SUM(output_tokens) AS output,
       SUM(cost_usd) AS cost
     FROM provider_calls GROUP BY provider, model`,
  );
}

/** Recorded runs per prompt or skill name: how many, how many reported an error, tokens in and out. */
export async function promptRunTotals(
  db: Queryable,
): Promise<{ name: string; runs: number; errors: number; input: number | null; output: number | null }[]> {
  return db.all<{
    name: string;
    runs: number;
    errors: number;
    input: number | null;
    output: number | null;
  }>(
    `SELECT name, COUNT(*) AS runs,
       SUM(CASE WHEN error IS NULL OR error = '' THEN 0 ELSE 1 END) AS errors,
       SUM(input_tokens) AS input, SUM(output_tokens) AS output
     FROM prompt_runs GROUP BY name`,
  );
}
