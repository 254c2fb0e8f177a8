import { mean, stddev, studentTCdf } from '../eval/stats';
import type { ScoreInterval } from './types';

/** The t quantile q (e.g. 0.975) for df degrees of freedom, by bisection on the CDF: exact enough for display. */
function tQuantile(q: number, df: number): number {
  let lo = 0;
  let hi = 1000;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const clip = (x: number) => Math.min(1, Math.max(0, x));

/**
 * The mean of per-case scores (0..1) with its 95 % Student-t interval, clipped to [0, 1]. With fewer than two
 * scores no spread can be estimated: the interval is the whole range (and the mean 0 when there is none), so
 * nothing reads as certain that is not.
 */
export function scoreInterval(scores: number[]): ScoreInterval {
  const n = scores.length;
  if (n === 0) return { mean: 0, low: 0, high: 1, n: 0 };
  const m = mean(scores);
  if (n === 1) return { mean: m, low: 0, high: 1, n };
  const half = (tQuantile(0.975, n - 1) * stddev(scores)) / Math.sqrt(n);
  return { mean: m, low: clip(m - half), high: clip(m + half), n };
}
