import type {
  DatasetSplit,
  OptimizerOps,
  OptimizerSettings,
  OptimizerState,
  CandidateRef,
  AcceptedCandidate,
} from './types';

/**
 * The optimizer's method, free of Temporal: the workflow runs it with activities, the benchmark with a simulated
 * world. (API fixed; body being written.)
 */

/** Evaluates the original on validation and returns the starting state. */
// eslint-disable-next-line @typescript-eslint/require-await -- stub until the body lands
export async function startOptimizer(
  _ops: OptimizerOps,
  _original: CandidateRef,
  _split: DatasetSplit,
  _settings: OptimizerSettings,
): Promise<OptimizerState> {
  throw new Error('not yet');
}

/** One round: `parallel` proposals (parent from the frontier → minibatch screen → validation → paired test). */
// eslint-disable-next-line @typescript-eslint/require-await -- stub until the body lands
export async function optimizerRound(
  _ops: OptimizerOps,
  _state: OptimizerState,
  _split: DatasetSplit,
  _settings: OptimizerSettings,
): Promise<OptimizerState> {
  throw new Error('not yet');
}

/** Why the run stops now, or undefined to go on. */
export function stopReason(_state: OptimizerState, _settings: OptimizerSettings): OptimizerState['stop'] {
  throw new Error('not yet');
}

/** The final pick: the best accepted candidate on validation. */
export function bestOnValidation(_state: OptimizerState): AcceptedCandidate {
  throw new Error('not yet');
}
