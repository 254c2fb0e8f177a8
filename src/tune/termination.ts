/** Reference 004's termination rules as a pure function, checked after each evaluation. */
export interface TerminationInput {
  scores: number[];
  iteration: number;
  maxIterations: number;
  threshold: number;
  consecutiveErrors: number;
  maxConsecutiveErrors: number;
}

export type TerminationVerdict =
  { terminate: false } | { terminate: true; reason: 'threshold-met' | 'max-iterations' | 'converged' | 'error-budget' };

/** Convergence: the last three scores gain at most this many points. */
export const CONVERGENCE_POINTS = 2;

export function shouldTerminate(s: TerminationInput): TerminationVerdict {
  const latest = s.scores[s.scores.length - 1];
  if (latest !== undefined && latest >= s.threshold) return { terminate: true, reason: 'threshold-met' };
  if (s.consecutiveErrors >= s.maxConsecutiveErrors) return { terminate: true, reason: 'error-budget' };
  if (s.iteration >= s.maxIterations) return { terminate: true, reason: 'max-iterations' };
  if (s.scores.length >= 3) {
    const [first, , last] = s.scores.slice(-3) as [number, number, number];
    if (last - first <= CONVERGENCE_POINTS) return { terminate: true, reason: 'converged' };
  }
  return { terminate: false };
}
