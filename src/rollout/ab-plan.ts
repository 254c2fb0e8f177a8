import type { AbStatus, AbStopInput } from './ab-types';

/** Pure rules of the A/B test: its defaults and bounds (CLI and workflow share them), stop, continue-as-new. */

/** The defaults `refinery ab` uses and its help states. */
export const AB_DEFAULTS = {
  split: '50,50',
  minSamples: 1000,
  interval: '1m',
  max: '14d',
} as const;

/** A look more often than this costs history and store reads without deciding sooner. */
export const AB_MIN_INTERVAL_MS = 10_000;
/** Past this the traffic has changed under the test; start a new one instead. */
export const AB_MAX_DURATION_MS = 90 * 86_400_000;

/**
 * Looks per run before continuing as new. A look is about 6 history events (a timer, a workflow task,
 * the local activity's marker; 11 were it a normal activity), so 500 looks stay near 3,000 events, well
 * under Temporal's 10,000-event warning and its 4,000-event suggestion to continue as new.
 */
export const AB_LOOKS_PER_RUN = 500;

/** Why an interval or maximum duration cannot be used, or undefined. */
export function abBoundsProblem(b: { checkIntervalMs: number; maxDurationMs: number }): string | undefined {
  if (!(b.checkIntervalMs >= AB_MIN_INTERVAL_MS))
    return `the check interval must be at least ${AB_MIN_INTERVAL_MS / 1000}s (e.g. --interval 1m)`;
  if (!(b.maxDurationMs > 0)) return 'the maximum duration must be above 0 (e.g. --max 14d)';
  if (b.maxDurationMs > AB_MAX_DURATION_MS)
    return `an A/B test may run at most ${AB_MAX_DURATION_MS / 86_400_000} days (e.g. --max 14d)`;
  if (b.checkIntervalMs > b.maxDurationMs) return 'the check interval must not be longer than the maximum duration';
  return undefined;
}

/** Why a stop cannot be taken, or undefined. `pending` is a stop already accepted and not yet carried out. */
export function abStopProblem(s: AbStatus, stop: AbStopInput, pending?: AbStopInput): string | undefined {
  if (!stop.by?.trim()) return 'say who stops the test (--by)';
  if (pending) return `the test is already being stopped (by ${pending.by})`;
  if (s.phase !== 'running') return `the test has ended (${s.phase})`;
  return undefined;
}

/** Whether this run has looked enough times (or the server suggests it) to continue as a new run. */
export function abShouldContinueAsNew(looksThisRun: number, suggested: boolean, cap = AB_LOOKS_PER_RUN): boolean {
  return suggested || looksThisRun >= cap;
}
