import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  sleep,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { ChunkResult, EvalRunInput, EvalSummary } from '../eval/types';

type Activities = ReturnType<typeof createActivities>;

const bookkeeping = proxyLocalActivities<Activities>({ startToCloseTimeout: '5 minutes' });

// A chunk can take minutes; the heartbeat timeout moves it to another worker soon after its worker
// dies, and the retry skips every case the dead worker had already stored.
const chunks = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['EvalTargetMissing'] },
});

// Submitting and polling a batch are single short provider calls. Bounded attempts: a batch API that will not take
// the batch costs the run its discount, not its completion (the chunk then runs per call); a failed poll is
// simply tried again at the next timer.
const batches = proxyActivities<Activities>({
  startToCloseTimeout: '6 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

// Anthropic ends every batch within 24 hours and Gemini within 48 (unfinished items expire); past this the
// chunk stops waiting and runs per call.
const BATCH_MAX_WAIT_MS = 50 * 3600 * 1000;

/**
 * How long to sleep before poll number `poll` (0-based): 30 s, doubling to at most 10 min. Small batches often end
 * in minutes; big ones take hours, where polling every 10 minutes costs a few dozen short activities.
 */
export function batchPollDelayMs(poll: number): number {
  return Math.min(30_000 * 2 ** Math.min(poll, 10), 10 * 60_000);
}

/** A golden-dataset evaluation of one version: chunks in parallel, then summary, gate and report. */
export async function evalRunWorkflow(
  input: EvalRunInput,
): Promise<EvalSummary & { estimate: { calls: number; costUsd: number } }> {
  const prep = await bookkeeping.prepareEvalRun(input);
  // No patched() needed: runs without `batch` (every run started before this existed) take exactly the old path.
  const batchMode = input.settings.batch === true;
  // Without a budget every chunk's batch goes in at once, so the provider works on all of them together and the
  // run waits about one batch time rather than one per lane. With --max-cost a chunk is bought only once the
  // chunks before it are paid for, as on the per-call path.
  const early = batchMode && input.settings.maxCostUsd === undefined;
  const submitted = Array.from({ length: prep.chunks }, (_, chunk) => (early ? submitBatch(input, chunk) : undefined));
  let budgetStopped = false;
  let next = 0;
  const lane = async () => {
    while (next < prep.chunks && !budgetStopped) {
      const chunk = next++;
      const r: ChunkResult = batchMode
        ? await runBatchChunk(input, chunk, submitted[chunk] ?? submitBatch(input, chunk))
        : await chunks.runEvalChunk({ input, chunk });
      if (r.budgetExhausted) budgetStopped = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.settings.parallelChunks, prep.chunks)) }, lane));
  const summary = await bookkeeping.finishEval({ input, budgetStopped, estimate: prep.estimate });
  return summary;
}

type Submitted = Awaited<ReturnType<Activities['submitEvalBatch']>>;

/** The chunk's batch, or null when it has none: nothing to batch, or the batch API refused it. Never rejects. */
async function submitBatch(input: EvalRunInput, chunk: number): Promise<Submitted> {
  try {
    return await batches.submitEvalBatch({ input, chunk });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('eval batch not submitted: the chunk runs per call', { runId: input.runId, chunk, error: String(err) });
    return null;
  }
}

/** One chunk in batch mode: wait for its batch on durable timers, then evaluate from the answers. */
async function runBatchChunk(input: EvalRunInput, chunk: number, submission: Promise<Submitted>): Promise<ChunkResult> {
  const batch = await submission;
  if (!batch) return chunks.runEvalChunk({ input, chunk });
  const context = { runId: input.runId, chunk, batchId: batch.batchId };
  let ended = false;
  for (let poll = 0, waitedMs = 0; !ended && waitedMs < BATCH_MAX_WAIT_MS; poll++) {
    const delay = batchPollDelayMs(poll);
    await sleep(delay);
    waitedMs += delay;
    try {
      ended = (await batches.pollEvalBatch({ batchKey: batch.batchKey })).ended;
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The batch is paid for: an outage only costs a poll. A permanent refusal (batch unknown, key revoked) ends the wait.
      if (permanent(err)) {
        log.warn('eval batch cannot be polled: the chunk runs per call', { ...context, error: String(err) });
        break;
      }
      log.warn('eval batch poll failed: trying again at the next timer', { ...context, error: String(err) });
    }
  }
  // A batch that never ended has no results to read: the chunk runs per call (stored samples are skipped).
  if (!ended) return chunks.runEvalChunk({ input, chunk });
  try {
    return await chunks.collectEvalBatch({ input, chunk, batchKey: batch.batchKey });
  } catch (err) {
    // Results the provider no longer serves (archived, deleted): the chunk runs per call instead of failing the run.
    if (isCancellation(err) || !permanent(err)) throw err;
    log.warn('eval batch results unreadable: the chunk runs per call', { ...context, error: String(err) });
    return chunks.runEvalChunk({ input, chunk });
  }
}

/** An activity failure no retry can mend (the activity said so). */
function permanent(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable === true;
}
