/**
 * Every workflow type's runs as one list of (type, status, started_at), read from the tables each
 * workflow keeps its record in: /metrics counts them and /dashboard buckets them per day. The API has no
 * Temporal client, so the store is the only source; a run that never wrote its row is not seen. A tune
 * survives failed iterations by design, so one that ended because its error budget was spent counts as
 * failed.
 */
export const WORKFLOW_RUNS_SQL = `
  SELECT 'tune' AS type, CASE WHEN termination = 'error-budget' THEN 'failed' ELSE status END AS status, started_at
  FROM tune_runs
  UNION ALL SELECT 'eval' AS type, status, started_at FROM eval_runs
  UNION ALL SELECT CASE WHEN kind = 'ab' THEN 'ab-test' ELSE 'rollout' END AS type, status, started_at FROM rollouts
  UNION ALL SELECT 'calendar-' || period AS type, status, started_at FROM calendar_runs`;

/** Statuses of runs still going: tune runs waiting for a decision, rollouts baking or paused. */
const IN_PROGRESS = new Set(['running', 'paused', 'staging', 'baking', 'awaiting-decision', 'awaiting-approval']);

/**
 * Statuses counted as errors: runs that failed, and rollouts rolled back (the guard or an operator
 * caught a candidate hurting production). Cancelled tunes, rejected or aborted rollouts and
 * inconclusive A/B tests are decisions, not errors; an eval stopped by its budget did what it was told.
 */
const ERRORS = new Set(['failed', 'error', 'timed-out', 'terminated', 'rolled-back']);

export function isInProgress(status: string): boolean {
  return IN_PROGRESS.has(status);
}

export function isError(status: string): boolean {
  return ERRORS.has(status);
}
