import { mean, stddev } from '../eval/stats';
import type { ScoreInterval } from './types';

/** 95 % interval of a mean score (normal approximation), clipped to [0, 1]. */
export function scoreInterval(scores: number[]): ScoreInterval {
  const n = scores.length;
  if (n === 0) return { mean: 0, low: 0, high: 0, n: 0 };
  const m = mean(scores);
  const half = n > 1 ? (1.96 * stddev(scores)) / Math.sqrt(n) : 1;
  return { mean: m, low: Math.max(0, m - half), high: Math.min(1, m + half), n };
}
