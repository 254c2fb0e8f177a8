import type { AssertionResult } from './types';

export interface Aggregate {
  /** Every weighted assertion passed. */
  pass: boolean;
  /** Weighted mean of scores; 1 when nothing carries weight (nothing to fail). */
  score: number;
  /** The results that fail the case (informational, weight-0 failures are not among them). */
  failed: AssertionResult[];
}

export function aggregate(results: AssertionResult[]): Aggregate {
  const counted = results.filter((r) => r.weight > 0);
  const total = counted.reduce((sum, r) => sum + r.weight, 0);
  const score = total > 0 ? counted.reduce((sum, r) => sum + r.weight * r.score, 0) / total : 1;
  const failed = counted.filter((r) => !r.pass);
  return { pass: failed.length === 0, score, failed };
}
