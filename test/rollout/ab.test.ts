import { mean, percentile, stddev } from '../../src/eval/stats';
import { abVerdict } from '../../src/rollout/ab';
import { emptyArmCounts } from '../../src/rollout/arm-aggregate-store';
import { bootstrapPercentile, bootstrapPercentileDifference, mulberry32 } from '../../src/rollout/bootstrap';
import { statsOf, type ArmCounts } from '../../src/rollout/guard';
import { lognormal } from './guard/sim';

function arm(latencies: number[], tokens: number[] = []): ArmCounts {
  return { ...emptyArmCounts(), runs: latencies.length, latency: statsOf(latencies), tokens: statsOf(tokens) };
}

function draws(seed: number, n: number, median: number, sigma: number): number[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => Math.round(lognormal(rand, median, sigma)));
}

describe('A/B verdicts', () => {
  test('p95-latency compares the p95s, not the means', () => {
    // Same mean (≈ 940 vs ≈ 960 ms), very different tails: p95 ≈ 1475 vs ≈ 2150 ms.
    const a = draws(1, 2000, 900, 0.3);
    const b = draws(2, 2000, 800, 0.6);
    expect(Math.abs(mean(b) - mean(a))).toBeLessThan(1.96 * Math.sqrt(stddev(a) ** 2 / 2000 + stddev(b) ** 2 / 2000));
    const v = abVerdict('p95-latency', arm(a), arm(b));
    expect(v.a.value / percentile(a, 95)).toBeCloseTo(1, 2);
    expect(v.b.value / percentile(b, 95)).toBeCloseTo(1, 2);
    expect(v.a.samples).toBe(2000);
    expect(v.decision).toBe('a-better');
    expect(v.ci95[0]).toBeGreaterThan(0);
    expect(v.ci95[0]).toBeLessThan(v.effect);
    expect(v.ci95[1]).toBeGreaterThan(v.effect);
    // Seeded: the same counts give the same interval on every worker and retry.
    expect(abVerdict('p95-latency', arm(a), arm(b))).toEqual(v);
    expect(abVerdict('p95-latency', arm(b), arm(a)).decision).toBe('b-better');
  });

  test('p95-latency: arms from one distribution rarely differ (false positives near the nominal 5 %)', () => {
    let significant = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const a = statsOf(draws(100 + t, 400, 900, 0.6));
      const b = statsOf(draws(1000 + t, 400, 900, 0.6));
      // Fewer resamples than abVerdict's 4000 keep 200 trials quick; the interval is the same method.
      const [lo, hi] = bootstrapPercentileDifference(a, b, 95, { resamples: 1000, seed: t });
      if (lo > 0 || hi < 0) significant++;
    }
    expect(significant / trials).toBeLessThan(0.1);
  });

  test('the bootstrap spread of a p95 matches its sampling spread', () => {
    // Uniform on 0..1000, n = 1000: the p95's standard error is √(0.95·0.05/1000) / (1/1000) ≈ 6.9.
    const rand = mulberry32(5);
    const xs = Array.from({ length: 1000 }, () => Math.round(rand() * 1000));
    const reps = bootstrapPercentile(statsOf(xs), 95, 4000, mulberry32(6));
    expect(mean(reps)).toBeCloseTo(percentile(xs, 95), -1);
    expect(stddev(reps)).toBeGreaterThan(6.9 * 0.8);
    expect(stddev(reps)).toBeLessThan(6.9 * 1.25);
  });

  test('tokens-per-call compares means with a Welch interval; rates with the normal approximation', () => {
    const ta = draws(3, 500, 450, 0.35);
    const tb = draws(4, 500, 520, 0.35);
    const t = abVerdict('tokens-per-call', arm([], ta), arm([], tb));
    const se = Math.sqrt(stddev(ta) ** 2 / 500 + stddev(tb) ** 2 / 500);
    expect(t.effect).toBeCloseTo(mean(tb) - mean(ta), 3);
    expect(t.ci95[0]).toBeCloseTo(mean(tb) - mean(ta) - 1.96 * se, 3);
    expect(t.decision).toBe('a-better');
    const r = abVerdict(
      'error-rate',
      { ...emptyArmCounts(), runs: 1000, errors: 20 },
      { ...emptyArmCounts(), runs: 1000, errors: 60 },
    );
    expect(r).toMatchObject({ a: { value: 0.02, samples: 1000 }, b: { value: 0.06 }, decision: 'a-better' });
  });
});
