import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
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

/** A golden-dataset evaluation of one version: chunks in parallel, then summary, gate and report. */
export async function evalRunWorkflow(
  input: EvalRunInput,
): Promise<EvalSummary & { estimate: { calls: number; costUsd: number } }> {
  const prep = await bookkeeping.prepareEvalRun(input);
  let budgetStopped = false;
  let next = 0;
  const lane = async () => {
    while (next < prep.chunks && !budgetStopped) {
      const chunk = next++;
      const r: ChunkResult = await chunks.runEvalChunk({ input, chunk });
      if (r.budgetExhausted) budgetStopped = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.settings.parallelChunks, prep.chunks)) }, lane));
  const summary = await bookkeeping.finishEval({ input, budgetStopped, estimate: prep.estimate });
  return summary;
}
