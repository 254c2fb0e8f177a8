import type { IterationRecord, StallReason } from './types';

/** A weakness category recurring in more than this many iterations stalls the run (reference 003). */
export const RECURRING_ITERATIONS_LIMIT = 3;

export interface StallFinding {
  reason: StallReason;
  detail: string;
  category?: string;
}

/** Categories present in more than RECURRING_ITERATIONS_LIMIT iterations, not yet acknowledged. */
export function recurringInRun(iterations: IterationRecord[], acknowledged: string[]): StallFinding | undefined {
  const counts = new Map<string, number>();
  for (const it of iterations) for (const c of new Set(it.weaknessCategories)) counts.set(c, (counts.get(c) ?? 0) + 1);
  for (const [category, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    if (n > RECURRING_ITERATIONS_LIMIT && !acknowledged.includes(category)) {
      return {
        reason: 'recurring-weakness',
        category,
        detail: `weakness "${category}" recurred in ${n} iterations (limit ${RECURRING_ITERATIONS_LIMIT})`,
      };
    }
  }
  return undefined;
}

/** What a termination means for a human: some endings stall the run instead of finishing it. */
export function stallForTermination(
  reason: 'threshold-met' | 'max-iterations' | 'converged' | 'error-budget',
  best: number,
  threshold: number,
): StallFinding | undefined {
  if (reason === 'converged' && best < threshold) {
    return {
      reason: 'converged-below-threshold',
      detail: `scores converged at ${best}, below the threshold ${threshold}`,
    };
  }
  if (reason === 'error-budget') {
    return { reason: 'error-budget', detail: 'three consecutive iterations failed: the error budget is spent' };
  }
  return undefined;
}
