import { DIMENSIONS, type DimensionScores } from './types';

/** Weights of the five dimensions; correctness and completeness matter most for a skill. */
export const DIMENSION_WEIGHTS: DimensionScores = {
  clarity: 0.2,
  completeness: 0.25,
  correctness: 0.25,
  effectiveness: 0.2,
  efficiency: 0.1,
};

/** Share of the final score taken by golden-case assertions, when a run has them. */
export const ASSERTION_WEIGHT = 0.2;

const clamp = (n: number) => Math.max(0, Math.min(100, n));

export function weightedScore(d: DimensionScores, weights: DimensionScores = DIMENSION_WEIGHTS): number {
  let sum = 0;
  let total = 0;
  for (const k of DIMENSIONS) {
    sum += clamp(d[k]) * weights[k];
    total += weights[k];
  }
  return round1(sum / total);
}

/** Judge score blended with the assertion pass rate, when golden cases gave assertions. */
export function combinedScore(judge: number, assertions?: { passed: number; total: number }): number {
  if (!assertions || assertions.total === 0) return round1(judge);
  const rate = (assertions.passed / assertions.total) * 100;
  return round1(judge * (1 - ASSERTION_WEIGHT) + rate * ASSERTION_WEIGHT);
}

/**
 * An iteration whose judge failed for good: the judged case scores 0 (failed), and golden assertions, which
 * need no judge, keep their share. This replaces reference 004's stand-in score of 50, which could pass a low
 * threshold or win "best" with a version nobody graded.
 */
export function judgeFailureScore(assertions?: { passed: number; total: number }): number {
  return combinedScore(0, assertions);
}

export function uniformDimensions(score: number): DimensionScores {
  return { clarity: score, completeness: score, correctness: score, effectiveness: score, efficiency: score };
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
