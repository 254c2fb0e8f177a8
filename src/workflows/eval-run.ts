import {
  ActivityFailure,
  ApplicationFailure,
  executeChild,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { chunkLanes } from '../eval/chunk-lanes';
import type { ChunkResult, EvalRunInput, EvalSummary } from '../eval/types';
import { addChunk, evalDetails, startEvalProgress } from '../web-ui/eval-details';
import { evalChunkSummary } from '../web-ui/summaries';
import { evalBatchWaitWorkflow } from './eval-batch-wait';

type Activities = ReturnType<typeof createActivities>;

const bookkeeping = proxyLocalActivities<Activities>({ startToCloseTimeout: '5 minutes' });

// A chunk can take minutes; the heartbeat timeout moves it to another worker soon after its worker
// dies, and the retry skips every case the dead worker had already stored.
const chunks = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['EvalTargetMissing'] },
});

// Submitting a batch is one provider call that uploads the chunk. Bounded attempts: a batch API that will not take
// the batch costs the run its discount, not its completion (the chunk then runs per call). The activity heartbeats
// through the upload, so a worker that dies mid-submit hands the retry (which looks for the batch first) to another
// worker within seconds rather than after the 6-minute timeout.
const batches = proxyActivities<Activities>({
  startToCloseTimeout: '6 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

/** What an eval run returns: its summary and what it was estimated to cost before it ran. */
export type EvalResult = EvalSummary & { estimate: { calls: number; costUsd: number } };

/** A golden-dataset evaluation of one version: chunks in parallel, then summary, gate and report. */
export async function evalRunWorkflow(input: EvalRunInput): Promise<EvalResult> {
  const prep = await bookkeeping.prepareEvalRun(input);
  let progress = startEvalProgress(prep);
  setCurrentDetails(evalDetails(input, progress));
  // No patched() needed: runs without `batch` (every run started before this existed) take exactly the old path.
  const batchMode = input.settings.batch === true;
  // Without a budget every chunk's batch goes in at once, so the provider works on all of them together and the
  // run waits about one batch time rather than one per lane. With --max-cost a chunk is bought only once the
  // chunks before it are paid for, as on the per-call path.
  const early = batchMode && input.settings.maxCostUsd === undefined;
  const submitted = Array.from({ length: prep.chunks }, (_, chunk) => (early ? submitBatch(input, chunk) : undefined));
  let budgetStopped = false;
  let next = 0;
  // Bounded by the dataset, not by time: about 15 events a chunk (batch waits run in their own child, which
  // continues as new), so a run stays under 10,000 events up to roughly 600 chunks.
  const lane = async () => {
    while (next < prep.chunks && !budgetStopped) {
      const chunk = next++;
      const r: ChunkResult = batchMode
        ? await runBatchChunk(input, chunk, submitted[chunk] ?? submitBatch(input, chunk))
        : await chunks.runEvalChunk.executeWithOptions(
            { summary: evalChunkSummary(chunk, prep.chunks, input.runId, 'per call') },
            [{ input, chunk }],
          );
      if (r.budgetExhausted) budgetStopped = true;
      progress = addChunk(progress, r);
      setCurrentDetails(evalDetails(input, progress));
    }
  };
  await Promise.all(Array.from({ length: chunkLanes({ ...input.settings, chunks: prep.chunks }) }, lane));
  progress = { ...progress, phase: 'summarizing: pass rate, gate and report' };
  setCurrentDetails(evalDetails(input, progress));
  const summary = await bookkeeping.finishEval({ input, budgetStopped, estimate: prep.estimate });
  setCurrentDetails(
    evalDetails(input, { ...progress, phase: `${summary.status}: ${summary.passed} of ${summary.cases} passed` }),
  );
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

/**
 * One chunk in batch mode: a child workflow waits for its batch on durable timers (so this run's history grows with
 * the chunks, not with the hours a batch takes), then the chunk is evaluated from the answers.
 */
async function runBatchChunk(input: EvalRunInput, chunk: number, submission: Promise<Submitted>): Promise<ChunkResult> {
  const batch = await submission;
  if (!batch) return chunks.runEvalChunk({ input, chunk });
  const context = { runId: input.runId, chunk, batchId: batch.batchId };
  const { workflowId, runId } = workflowInfo();
  const wait = await executeChild(evalBatchWaitWorkflow, {
    workflowId: `${workflowId}-${runId}-batch-${chunk}`,
    args: [{ runId: input.runId, chunk, batchKey: batch.batchKey }],
    staticSummary: `Waits for the provider batch of chunk ${chunk} of eval run ${input.runId}`,
  });
  // A batch that never ended has no results to read: the chunk runs per call (stored samples are skipped).
  if (!wait.ended) return chunks.runEvalChunk({ input, chunk });
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
