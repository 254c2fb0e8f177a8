import { meanOf, quantile, varianceOf, type SampleStats } from './sample-stats';
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
      return continuous(control.latency, canary.latency, (s) => quantile(s, 95));
    case 'tokens-per-call':
      return continuous(control.tokens, canary.tokens, meanOf);
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
function continuous(a: SampleStats, b: SampleStats, summary: (s: SampleStats) => number): Measurement {
  let z = 0;
  if (a.n >= 2 && b.n >= 2) {
    const diff = b.logSum / b.n - a.logSum / a.n;
    const v = varianceOf(a.n, a.logSum, a.logSumSq) / a.n + varianceOf(b.n, b.logSum, b.logSumSq) / b.n;
    // Both arms constant: any difference is exact, not noise.
    if (v > 0) z = diff / Math.sqrt(v);
    else if (diff !== 0) z = Math.sign(diff) * Number.POSITIVE_INFINITY;
  }
  return {
    control: a.n ? summary(a) : NaN,
    canary: b.n ? summary(b) : NaN,
    samples: { control: a.n, canary: b.n },
    z,
    nEff: effectiveN(a.n, b.n),
    kind: 'continuous',
  };
}
