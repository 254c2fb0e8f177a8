/**
 * A stand-in `optimizeWorkflow` for the CLI's tests: it answers the status query with the OptimizeStatus shape and
 * moves only when the test signals it, so the CLI's start, --wait, report writing and `refinery status` are tested
 * against a real Temporal server without the optimizer itself (the lead's workflow has its own end-to-end tests).
 */
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import type { OptimizeInput, OptimizeOutcome, OptimizeStatus } from '../../src/optimizer/types';

export const standinStatusQuery = defineQuery<OptimizeStatus>('status');
export const standinStepSignal = defineSignal<[Partial<OptimizeStatus>]>('standinStep');
export const standinFinishSignal = defineSignal<[Pick<OptimizeOutcome, 'reportRef' | 'reportPaths'>]>('standinFinish');

export async function optimizeWorkflow(input: OptimizeInput): Promise<OptimizeStatus> {
  let status: OptimizeStatus = {
    runId: input.runId,
    target: input.target,
    dataset: input.dataset,
    phase: 'baseline',
    round: 0,
    maxRounds: input.settings.maxRounds,
    split: { train: 6, validation: 4, test: 2, heldOut: true },
    frontier: [],
    best: { hash: 'orig0000hash', interval: { mean: 0, low: 0, high: 1, n: 0 } },
    spent: { calls: 0, usd: 0 },
    budget: input.settings.budget,
    proposals: 0,
    acceptances: 0,
    evaluationFailures: 0,
    warnings: [],
    decisions: [],
  };
  let finish: Pick<OptimizeOutcome, 'reportRef' | 'reportPaths'> | undefined;
  setHandler(standinStatusQuery, () => status);
  setHandler(standinStepSignal, (patch) => void (status = { ...status, ...patch }));
  setHandler(standinFinishSignal, (f) => void (finish = f));
  await condition(() => finish !== undefined);
  const chosen = { hash: 'child1111hash', ref: 'blob-child' };
  return {
    ...status,
    phase: 'done',
    stop: 'threshold-met',
    outcome: {
      chosen,
      original: { hash: 'orig0000hash', ref: 'blob-orig' },
      version: input.settings.dryRun ? undefined : input.target.version + 1,
      validation: {
        chosen: { mean: 0.9, low: 0.8, high: 1, n: 4 },
        original: { mean: 0.5, low: 0.3, high: 0.7, n: 4 },
      },
      ...finish!,
      ...(input.settings.thenRollout ? { rollout: { workflowId: `rollout-${input.target.name}-standin` } } : {}),
    },
  };
}
