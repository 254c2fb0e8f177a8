import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { BATCH_MAX_WAIT_MS, BATCH_POLLS_PER_RUN, batchPollDelayMs } from '../eval/batch-wait-policy';

type Activities = ReturnType<typeof createActivities>;

// A poll is one short provider call; a failed one is simply tried again at the next timer, so few attempts.
const batches = proxyActivities<Activities>({
  startToCloseTimeout: '6 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

/** Where the wait stands; carried across continue-as-new (no keys, no prompts). */
export interface EvalBatchWaitState {
  /** Polls made so far over every run (sets the next delay). */
  polls: number;
  waitedMs: number;
}

export interface EvalBatchWaitInput {
  runId: string;
  chunk: number;
  batchKey: string;
  state?: EvalBatchWaitState;
}

/**
 * `ended`: the batch can be collected. Otherwise the chunk runs per call: `timeout` (the batch never ended in the
 * providers' longest lifetime) or `unpollable` (a permanent refusal: batch unknown, key revoked, never found).
 */
export type EvalBatchWaitResult = { ended: true } | { ended: false; reason: 'timeout' | 'unpollable' };

/**
 * Waits for one chunk's provider batch on durable timers (30 s doubling to 10 min, up to 50 h). A child of the eval
 * run so the run's own history grows with its chunks, not with the hours a batch takes; this one continues as new
 * every BATCH_POLLS_PER_RUN polls (or when the server suggests it), so no run of it nears 10,000 events.
 */
export async function evalBatchWaitWorkflow(input: EvalBatchWaitInput): Promise<EvalBatchWaitResult> {
  const state: EvalBatchWaitState = { ...(input.state ?? { polls: 0, waitedMs: 0 }) };
  const context = { runId: input.runId, chunk: input.chunk, batchKey: input.batchKey };
  for (let pollsThisRun = 0; state.waitedMs < BATCH_MAX_WAIT_MS; pollsThisRun++) {
    if (pollsThisRun >= BATCH_POLLS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof evalBatchWaitWorkflow>({ ...input, state });
    }
    const delay = batchPollDelayMs(state.polls);
    await sleep(delay);
    state.waitedMs += delay;
    state.polls++;
    try {
      if ((await batches.pollEvalBatch({ batchKey: input.batchKey })).ended) return { ended: true };
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The batch is paid for: an outage only costs a poll. A permanent refusal (batch unknown, key revoked) ends the wait.
      if (permanent(err)) {
        log.warn('eval batch cannot be polled: the chunk runs per call', { ...context, error: String(err) });
        return { ended: false, reason: 'unpollable' };
      }
      log.warn('eval batch poll failed: trying again at the next timer', { ...context, error: String(err) });
    }
  }
  return { ended: false, reason: 'timeout' };
}

/** An activity failure no retry can mend (the activity said so). */
function permanent(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable === true;
}
