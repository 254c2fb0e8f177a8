import type { ChunkResult, EvalRunInput } from '../eval/types';
import { runDetails } from './run-details';

/** What an eval run knows of itself as its chunks finish. */
export interface EvalProgress {
  phase: string;
  cases: number;
  chunks: number;
  chunksDone: number;
  evaluated: number;
  fromCache: number;
  costUsd: number;
  estimate?: { calls: number; costUsd: number };
  budgetStopped?: boolean;
}

export function startEvalProgress(prep: {
  cases: number;
  chunks: number;
  estimate: { calls: number; costUsd: number };
}): EvalProgress {
  return { phase: 'evaluating', ...prep, chunksDone: 0, evaluated: 0, fromCache: 0, costUsd: 0 };
}

/** The progress after one more chunk (pure: the workflow keeps the result). */
export function addChunk(p: EvalProgress, r: ChunkResult): EvalProgress {
  return {
    ...p,
    chunksDone: p.chunksDone + 1,
    evaluated: p.evaluated + r.evaluated,
    fromCache: p.fromCache + r.fromCache,
    costUsd: p.costUsd + r.costUsd,
    budgetStopped: p.budgetStopped || r.budgetExhausted,
  };
}

/** The eval run's current details: chunks done, samples evaluated, spend against the estimate and the limit. */
export function evalDetails(input: EvalRunInput, p: EvalProgress): string {
  const s = input.settings;
  const limit = s.maxCostUsd === undefined ? '' : ` (limit $${s.maxCostUsd})`;
  const estimate = p.estimate ? ` of about $${p.estimate.costUsd.toFixed(4)} estimated` : '';
  return runDetails({
    title: `**Eval** \`${input.target.name}@${input.target.version}\` on \`${input.dataset.name}@${input.dataset.version}\``,
    phase: p.phase,
    step: `chunk ${p.chunksDone} of ${p.chunks} done · ${p.cases} cases × ${s.repeat} samples`,
    budget: `$${p.costUsd.toFixed(4)}${estimate}${limit}; ${p.evaluated} samples evaluated, ${p.fromCache} from cache`,
    notes: p.budgetStopped ? ['The cost limit was reached: the remaining chunks do not run.'] : [],
  });
}
