/**
 * Mergeable summary of a continuous signal (latency, tokens per call): what the guard and the A/B check
 * need without keeping every sample, so a look can add the runs recorded since the last one to a stored
 * summary instead of reloading them all.
 *
 * - n, sum, sumSq of x: the mean (tokens per call) and its Welch variance (A/B).
 * - logSum, logSumSq of log(1 + x): the guard's Welch z on the log scale.
 * - histogram: counts over fixed log buckets of width 0.01 in log(1 + x) (≈ 1 % of the value), each with
 *   the sum of its values, for the p95. Fixed bucket edges make two summaries merge by adding bucket by
 *   bucket; the bucket's mean is the reported value, so it lies within ≈ 1 % of the true nearest-rank p95
 *   and is exact when the bucket holds a single distinct value (e.g. constant latencies).
 */
export interface SampleStats {
  n: number;
  sum: number;
  sumSq: number;
  logSum: number;
  logSumSq: number;
  /** Bucket index → [count, sum of the values in it]. Sparse: only occupied buckets. */
  histogram: Record<string, [number, number]>;
}

/** Buckets per unit of log(1 + x): width 0.01, i.e. adjacent bucket edges differ by ≈ 1 %. */
export const BUCKETS_PER_LOG_UNIT = 100;

export function emptyStats(): SampleStats {
  return { n: 0, sum: 0, sumSq: 0, logSum: 0, logSumSq: 0, histogram: {} };
}

/** A timing or token count that is negative or not finite is a recording bug, not a sample. */
export function usable(x: number): boolean {
  return Number.isFinite(x) && x >= 0;
}

export function bucketOf(x: number): number {
  return Math.floor(Math.log1p(x) * BUCKETS_PER_LOG_UNIT);
}

/** Adds one sample in place; unusable values are dropped, as the guard always did. */
export function addSample(s: SampleStats, x: number): void {
  if (!usable(x)) return;
  const l = Math.log1p(x);
  s.n += 1;
  s.sum += x;
  s.sumSq += x * x;
  s.logSum += l;
  s.logSumSq += l * l;
  const key = String(bucketOf(x));
  const b = s.histogram[key];
  if (b) {
    b[0] += 1;
    b[1] += x;
  } else s.histogram[key] = [1, x];
}

export function statsOf(xs: Iterable<number>): SampleStats {
  const s = emptyStats();
  for (const x of xs) addSample(s, x);
  return s;
}

/** a + b as a new summary (the inputs are not changed). */
export function mergeStats(a: SampleStats, b: SampleStats): SampleStats {
  const histogram: SampleStats['histogram'] = {};
  for (const h of [a.histogram, b.histogram])
    for (const [k, [c, s]] of Object.entries(h)) {
      const cur = histogram[k];
      histogram[k] = cur ? [cur[0] + c, cur[1] + s] : [c, s];
    }
  return {
    n: a.n + b.n,
    sum: a.sum + b.sum,
    sumSq: a.sumSq + b.sumSq,
    logSum: a.logSum + b.logSum,
    logSumSq: a.logSumSq + b.logSumSq,
    histogram,
  };
}

/** Occupied buckets in ascending order: [count, mean value]. */
export function sortedBuckets(s: SampleStats): [number, number][] {
  return Object.entries(s.histogram)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((x, y) => x[0] - y[0])
    .map(([, [c, sum]]) => [c, sum / c]);
}

/** Value at nearest rank `rank` (1-based) over ascending [count, value] buckets. */
export function valueAtRank(buckets: [number, number][], rank: number): number {
  let seen = 0;
  for (const [c, v] of buckets) {
    seen += c;
    if (seen >= rank) return v;
  }
  return buckets.length ? buckets[buckets.length - 1]![1] : NaN;
}

/** Nearest-rank percentile (p in 0..100) from the histogram: the mean of the bucket holding that rank. */
export function quantile(s: SampleStats, p: number): number {
  if (s.n === 0) return NaN;
  const rank = Math.min(s.n, Math.max(1, Math.ceil((p / 100) * s.n)));
  return valueAtRank(sortedBuckets(s), rank);
}

export function meanOf(s: SampleStats): number {
  return s.n ? s.sum / s.n : NaN;
}

/**
 * Sample variance (n − 1) from a count, a sum and a sum of squares. The one-pass formula loses the last
 * digits to cancellation, so a result within float noise of zero is zero: constant arms must stay exactly
 * constant for the guard (their difference is exact, not noise).
 */
export function varianceOf(n: number, sum: number, sumSq: number): number {
  if (n < 2) return 0;
  const m = sum / n;
  const v = (sumSq - sum * m) / (n - 1);
  return v > 1e-12 * Math.max(1, sumSq / n) ? v : 0;
}
