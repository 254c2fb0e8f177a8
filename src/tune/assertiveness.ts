/**
 * Reference 003's assertiveness score, mapped onto a tune run:
 * 100 − min(30, 10·extra iterations) − 20 if any evaluation failed − min(40, 10·unmet criteria);
 * a human rejection (rollback or cancel) makes it 0. Exact, never rounded up.
 */
export interface AssertivenessInput {
  iterations: number;
  failedEvaluations: number;
  unmetCriteria: number;
  humanRejected: boolean;
}

export function assertivenessScore(a: AssertivenessInput): number {
  if (a.humanRejected) return 0;
  const extra = Math.max(0, a.iterations - 1);
  return 100 - Math.min(30, extra * 10) - (a.failedEvaluations > 0 ? 20 : 0) - Math.min(40, a.unmetCriteria * 10);
}

export function assertivenessRating(score: number): string {
  if (score === 0) return 'Failed';
  if (score >= 90) return 'Excellent';
  if (score >= 80) return 'Good';
  if (score >= 70) return 'Acceptable';
  if (score >= 60) return 'Needs Improvement';
  return 'Poor';
}
