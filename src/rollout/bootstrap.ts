import { sortedBuckets, type SampleStats } from './guard/sample-stats';

/**
 * Seeded bootstrap of a percentile from a histogram, for the A/B test's p95 comparison. Deterministic:
 * the same counts give the same interval on every worker and every retry of the activity.
 */

/** mulberry32: a tiny 32-bit PRNG; ample for a few thousand resamples. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Gamma(shape, 1) by Marsaglia–Tsang (shape ≥ 1; smaller shapes through the u^(1/shape) boost). */
export function gammaDraw(rand: () => number, shape: number): number {
  if (shape < 1) return gammaDraw(rand, shape + 1) * Math.pow(1 - rand(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rand);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function betaDraw(rand: () => number, a: number, b: number): number {
  const x = gammaDraw(rand, a);
  return x / (x + gammaDraw(rand, b));
}

/**
 * `resamples` bootstrap replicates of the nearest-rank p-th percentile of the samples summarised by
 * `stats`. A replicate is the percentile of n draws with replacement from the arm, i.e. of bucket counts
 * resampled multinomially over the bins. Drawing the n values is not needed: the k-th smallest of n
 * resampled values is the value at rank ⌈n·U⌉ with U ~ Beta(k, n − k + 1) (the k-th order statistic of n
 * uniforms, mapped through the arm's step quantile function), so each replicate costs one Beta draw and
 * one binary search, whatever the arm's size.
 */
export function bootstrapPercentile(stats: SampleStats, p: number, resamples: number, rand: () => number): number[] {
  const n = stats.n;
  if (n === 0) return [];
  const buckets = sortedBuckets(stats);
  const cumulative: number[] = [];
  let seen = 0;
  for (const [c] of buckets) cumulative.push((seen += c));
  const k = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  const out: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const rank = Math.min(n, Math.max(1, Math.ceil(n * betaDraw(rand, k, n - k + 1))));
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! >= rank) hi = mid;
      else lo = mid + 1;
    }
    out.push(buckets[lo]![1]);
  }
  return out;
}

/** Percentile-bootstrap 95 % interval of p-th percentile(b) − p-th percentile(a), arms resampled independently. */
export function bootstrapPercentileDifference(
  a: SampleStats,
  b: SampleStats,
  p: number,
  opts: { resamples?: number; seed?: number } = {},
): [number, number] {
  const resamples = opts.resamples ?? 4000;
  const rand = mulberry32(opts.seed ?? 0x5eed95);
  const qa = bootstrapPercentile(a, p, resamples, rand);
  const qb = bootstrapPercentile(b, p, resamples, rand);
  const diffs = qb.map((x, i) => x - qa[i]!).sort((x, y) => x - y);
  if (diffs.length === 0) return [NaN, NaN];
  return [diffs[Math.floor(0.025 * resamples)]!, diffs[Math.ceil(0.975 * resamples) - 1]!];
}
