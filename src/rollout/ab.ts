import { bootstrapPercentileDifference } from './bootstrap';
import type { ArmCounts, SignalName } from './guard';
import { meanOf, quantile, varianceOf } from './guard/sample-stats';

/** The metrics an A/B test can decide on; for all of them lower is better. */
export const AB_METRICS: SignalName[] = [
  'error-rate',
  'format-failure-rate',
  'thumbs-down-rate',
  'correction-rate',
  'p95-latency',
  'tokens-per-call',
];

export interface AbVerdict {
  metric: SignalName;
  a: { value: number; samples: number };
  b: { value: number; samples: number };
  /** b − a in the metric's unit (rate points, ms, tokens); negative means b is better. */
  effect: number;
  relativeEffect: number | null;
  ci95: [number, number];
  decision: 'a-better' | 'b-better' | 'no-significant-difference';
}

function rateOf(c: ArmCounts, metric: SignalName): { k: number; n: number } {
  switch (metric) {
    case 'error-rate':
      return { k: c.errors, n: c.runs };
    case 'format-failure-rate':
      return { k: c.formatFailed, n: c.formatJudged };
    case 'thumbs-down-rate':
      return { k: c.thumbsDown, n: c.thumbsUp + c.thumbsDown };
    default:
      return { k: c.correctedOrRegenerated, n: c.runs };
  }
}

export function samplesFor(c: ArmCounts, metric: SignalName): number {
  if (metric === 'p95-latency') return c.latency.n;
  if (metric === 'tokens-per-call') return c.tokens.n;
  return rateOf(c, metric).n;
}

/**
 * Effect of b against a with a 95 % confidence interval: unpooled normal approximation for rates, Welch
 * for mean tokens per call, and for p95 latency the p95s themselves, with a seeded percentile-bootstrap
 * interval of their difference (a p95 has no simple standard error, and comparing means would answer
 * another question than the metric's name asks). Evaluated once, when both arms reach the minimum sample
 * size, so no peeking inflates it.
 */
export function abVerdict(metric: SignalName, a: ArmCounts, b: ArmCounts): AbVerdict {
  let va: number;
  let vb: number;
  let ci95: [number, number];
  if (metric === 'p95-latency') {
    va = quantile(a.latency, 95);
    vb = quantile(b.latency, 95);
    ci95 = bootstrapPercentileDifference(a.latency, b.latency, 95);
  } else if (metric === 'tokens-per-call') {
    va = meanOf(a.tokens);
    vb = meanOf(b.tokens);
    const se = Math.sqrt(
      varianceOf(a.tokens.n, a.tokens.sum, a.tokens.sumSq) / a.tokens.n +
        varianceOf(b.tokens.n, b.tokens.sum, b.tokens.sumSq) / b.tokens.n,
    );
    ci95 = [vb - va - 1.96 * se, vb - va + 1.96 * se];
  } else {
    const ra = rateOf(a, metric);
    const rb = rateOf(b, metric);
    va = ra.k / ra.n;
    vb = rb.k / rb.n;
    const se = Math.sqrt((va * (1 - va)) / ra.n + (vb * (1 - vb)) / rb.n);
    ci95 = [vb - va - 1.96 * se, vb - va + 1.96 * se];
  }
  const effect = vb - va;
  const decision = ci95[1] < 0 ? 'b-better' : ci95[0] > 0 ? 'a-better' : 'no-significant-difference';
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    metric,
    a: { value: r4(va), samples: samplesFor(a, metric) },
    b: { value: r4(vb), samples: samplesFor(b, metric) },
    effect: r4(effect),
    relativeEffect: va === 0 ? null : r4(effect / va),
    ci95: [r4(ci95[0]), r4(ci95[1])],
    decision,
  };
}
