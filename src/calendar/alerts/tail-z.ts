/**
 * How surprising a count of bad outcomes is, as a z score. A day's failures at a 1–2 % baseline rate
 * are a small count, where the normal approximation understates the upper tail (a stable prompt then
 * alerts several times too often). So the tail is exact — P(X ≥ k) for X ~ Binomial(n, p) — and turned
 * back into the z that has the same one-sided tail, which keeps the Warning/Critical thresholds in
 * familiar units.
 */

// Lanczos approximation (g = 7, n = 9): about 15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space from k up until the terms stop mattering. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  const logTerm = (i: number) => logChoose(n, i) + i * logP + (n - i) * logQ;
  const first = logTerm(k);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    const rel = Math.exp(logTerm(i) - first);
    sum += rel;
    // Past the mode the terms only shrink; stop once they no longer change the sum.
    if (i > n * p && rel < sum * 1e-15) break;
  }
  return Math.min(1, Math.exp(first + Math.log(sum)));
}

// Acklam's rational approximation of the standard normal quantile (relative error below 1.2e-9).
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** z with P(Z ≥ z) = tail, for a standard normal Z; capped at ±40 where doubles run out. */
export function zForUpperTail(tail: number): number {
  if (tail <= 0) return 40;
  if (tail >= 1) return -40;
  const p = 1 - tail;
  const low = 0.02425;
  let q: number;
  let x: number;
  if (tail < low) {
    // Upper region, computed from the tail itself so tiny tails keep their precision.
    q = Math.sqrt(-2 * Math.log(tail));
    x =
      -(((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  } else if (p < low) {
    q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  } else {
    q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
      (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
  }
  return Math.min(40, Math.max(-40, x));
}

/** The z score of seeing at least `bad` bad outcomes in `n` when the baseline rate is `p`. */
export const exactTailZ = (bad: number, n: number, p: number) => zForUpperTail(binomialUpperTail(bad, n, p));
