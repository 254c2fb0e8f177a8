import { mean, percentile, stddev } from '../../../src/eval/stats';
import {
  addSample,
  BUCKETS_PER_LOG_UNIT,
  emptyStats,
  meanOf,
  mergeStats,
  quantile,
  statsOf,
  varianceOf,
} from '../../../src/rollout/guard/sample-stats';
import { lognormal, mulberry32 } from './sim';

describe('sample statistics: a mergeable summary of latencies and token counts', () => {
  const rand = mulberry32(3);
  const latencies = Array.from({ length: 3000 }, () => Math.round(lognormal(rand, 900, 0.6)));
  const tokens = Array.from({ length: 3000 }, () => Math.round(lognormal(rand, 450, 0.35)));

  test('merging two summaries gives the summary of all the samples', () => {
    const merged = mergeStats(statsOf(latencies.slice(0, 1234)), statsOf(latencies.slice(1234)));
    const whole = statsOf(latencies);
    expect(merged.n).toBe(whole.n);
    expect(merged.histogram).toEqual(whole.histogram);
    expect(merged.sum).toBe(whole.sum);
    expect(merged.sumSq).toBe(whole.sumSq);
    expect(merged.logSum).toBeCloseTo(whole.logSum, 9);
    expect(merged.logSumSq).toBeCloseTo(whole.logSumSq, 9);
  });

  test('percentiles from the histogram are within one bucket (≈ 1 %) of the exact nearest rank', () => {
    const bucket = Math.exp(1 / BUCKETS_PER_LOG_UNIT) - 1;
    for (const xs of [latencies, tokens])
      for (const p of [50, 90, 95, 99]) {
        const exact = percentile(xs, p);
        expect(Math.abs(quantile(statsOf(xs), p) / exact - 1)).toBeLessThanOrEqual(bucket);
      }
    expect(quantile(statsOf([7, 7, 7]), 95)).toBe(7);
    expect(quantile(emptyStats(), 95)).toBeNaN();
  });

  test('means and variances equal the two-pass ones; constant samples have variance exactly 0', () => {
    const s = statsOf(tokens);
    expect(meanOf(s)).toBeCloseTo(mean(tokens), 9);
    expect(Math.sqrt(varianceOf(s.n, s.sum, s.sumSq))).toBeCloseTo(stddev(tokens), 6);
    const logs = tokens.map((x) => Math.log1p(x));
    expect(Math.sqrt(varianceOf(s.n, s.logSum, s.logSumSq))).toBeCloseTo(stddev(logs), 9);
    const constant = statsOf(Array<number>(1000).fill(1234));
    expect(varianceOf(constant.n, constant.logSum, constant.logSumSq)).toBe(0);
    expect(varianceOf(constant.n, constant.sum, constant.sumSq)).toBe(0);
  });

  test('negative and non-finite values are not samples', () => {
    const s = emptyStats();
    for (const x of [NaN, -1, Infinity, 0, 5]) addSample(s, x);
    expect(s.n).toBe(2);
    expect(s.sum).toBe(5);
  });
});
