/**
 * How /metrics and /dashboard read a workflow run's status. The runs themselves are listed by
 * metrics-store.ts, from the tables each workflow keeps its record in.
 */

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
