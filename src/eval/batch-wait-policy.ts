/**
 * How an eval chunk waits for its provider batch: pure numbers the wait workflow and its tests share.
 *
 * Anthropic ends every batch within 24 hours and Gemini within 48 (unfinished items expire); past BATCH_MAX_WAIT_MS
 * the chunk stops waiting and runs per call.
 */
export const BATCH_MAX_WAIT_MS = 50 * 3600 * 1000;

/**
 * Polls per run of the wait workflow before it continues as new. One poll is a timer and one activity, about 11
 * history events with their workflow tasks; 100 polls stay near 1,100 events, far under Temporal's 10,000-event
 * warning. A 50-hour wait is 304 polls (5 growing delays, then 299 at 10 minutes): four runs.
 */
export const BATCH_POLLS_PER_RUN = 100;

/**
 * How long to sleep before poll number `poll` (0-based): 30 s, doubling to at most 10 min. Small batches often end
 * in minutes; big ones take hours, where polling every 10 minutes costs a few dozen short activities.
 */
export function batchPollDelayMs(poll: number): number {
  return Math.min(30_000 * 2 ** Math.min(poll, 10), 10 * 60_000);
}
