import { mean, percentile, stddev } from '../../eval/stats';
import type { ArmCounts, SignalName } from './types';

/**
 * Per-signal measurements: the observed metric of each arm (what people read), and the standardized
 * difference z with its effective sample size (what the sequential test reads). No decisions here.
 */
export interface Measurement {
  control: number;
  canary: number;
  samples: { control: number; canary: number };
  /** (canary − control) / √V on the test's scale; positive = canary worse. */
  z: number;
  /** 1 / (1/n_control + 1/n_canary): the information in a two-sample comparison, in per-arm units. */
  nEff: number;
  /** Rates get the absolute floor too; continuous metrics have no unit-free absolute floor. */
  kind: 'rate' | 'continuous';
}

export const ALL_SIGNALS: readonly SignalName[] = [
  'error-rate',
  'format-failure-rate',
  'thumbs-down-rate',
  'correction-rate',
  'p95-latency',
  'tokens-per-call',
];

export function measure(signal: SignalName, control: ArmCounts, canary: ArmCounts): Measurement {
  switch (signal) {
    case 'error-rate':
      return rate(control.errors, control.runs, canary.errors, canary.runs);
    case 'format-failure-rate':
      return rate(control.formatFailed, control.formatJudged, canary.formatFailed, canary.formatJudged);
    case 'thumbs-down-rate':
      return rate(
        control.thumbsDown,
        control.thumbsUp + control.thumbsDown,
        canary.thumbsDown,
        canary.thumbsUp + canary.thumbsDown,
      );
    case 'correction-rate':
      return rate(control.correctedOrRegenerated, control.runs, canary.correctedOrRegenerated, canary.runs);
    case 'p95-latency':
      return continuous(control.latenciesMs, canary.latenciesMs, (xs) => percentile(xs, 95));
    case 'tokens-per-call':
      return continuous(control.tokensPerCall, canary.tokensPerCall, mean);
  }
}

function effectiveN(nA: number, nB: number): number {
  return nA > 0 && nB > 0 ? 1 / (1 / nA + 1 / nB) : 0;
}

/**
 * Two-proportion z with the pooled variance p̄(1 − p̄)(1/n_A + 1/n_B). Pooled, not per-arm: under the
 * null both arms share one rate, and the pooled estimate keeps z well-behaved for rare events
 * (e.g. 0 errors in control would otherwise give the control arm zero variance).
 */
function rate(xA: number, nA: number, xB: number, nB: number): Measurement {
  const pA = nA > 0 ? xA / nA : 0;
  const pB = nB > 0 ? xB / nB : 0;
  let z = 0;
  if (nA > 0 && nB > 0) {
    const p = (xA + xB) / (nA + nB);
    const v = p * (1 - p) * (1 / nA + 1 / nB);
    // v = 0 only when both arms are all-0 or all-1: identical rates, nothing to test.
    if (v > 0) z = (pB - pA) / Math.sqrt(v);
  }
  return { control: pA, canary: pB, samples: { control: nA, canary: nB }, z, nEff: effectiveN(nA, nB), kind: 'rate' };
}

/**
 * Welch z on log(1 + x). Latency and token counts are right-skewed and multiplicative ("50% slower"),
 * so the log scale makes the mean difference a relative change and tames the tail that would
 * otherwise dominate the variance estimate. The statistic detects a shift of the bulk of the
 * distribution; the practical floor is checked on the reported metric itself (p95, mean).
 */
function continuous(a: number[], b: number[], summary: (xs: number[]) => number): Measurement {
  const xa = a.filter(usable);
  const xb = b.filter(usable);
  const la = xa.map((x) => Math.log1p(x));
  const lb = xb.map((x) => Math.log1p(x));
  let z = 0;
  if (la.length >= 2 && lb.length >= 2) {
    const diff = mean(lb) - mean(la);
    const v = stddev(la) ** 2 / la.length + stddev(lb) ** 2 / lb.length;
    // Both arms constant: any difference is exact, not noise.
    if (v > 0) z = diff / Math.sqrt(v);
    else if (diff !== 0) z = Math.sign(diff) * Number.POSITIVE_INFINITY;
  }
  return {
    control: xa.length ? summary(xa) : NaN,
    canary: xb.length ? summary(xb) : NaN,
    samples: { control: xa.length, canary: xb.length },
    z,
    nEff: effectiveN(xa.length, xb.length),
    kind: 'continuous',
  };
}

/** A timing or token count that is negative or not finite is a recording bug, not a sample. */
function usable(x: number): boolean {
  return Number.isFinite(x) && x >= 0;
}
