import type { ArmCounts, SignalName } from './guard';
import { mean, stddev } from '../eval/stats';

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
  if (metric === 'p95-latency') return c.latenciesMs.length;
  if (metric === 'tokens-per-call') return c.tokensPerCall.length;
  return rateOf(c, metric).n;
}

/**
 * Effect of b against a with a 95 % confidence interval (normal approximation: unpooled for rates,
 * Welch for means — latency is compared by its mean, which moves with its p95 for the shifts that
 * matter here). Evaluated once, when both arms reach the minimum sample size, so no peeking inflates it.
 */
export function abVerdict(metric: SignalName, a: ArmCounts, b: ArmCounts): AbVerdict {
  let va: number;
  let vb: number;
  let se: number;
  if (metric === 'p95-latency' || metric === 'tokens-per-call') {
    const xa = metric === 'p95-latency' ? a.latenciesMs : a.tokensPerCall;
    const xb = metric === 'p95-latency' ? b.latenciesMs : b.tokensPerCall;
    va = mean(xa);
    vb = mean(xb);
    se = Math.sqrt(stddev(xa) ** 2 / xa.length + stddev(xb) ** 2 / xb.length);
  } else {
    const ra = rateOf(a, metric);
    const rb = rateOf(b, metric);
    va = ra.k / ra.n;
    vb = rb.k / rb.n;
    se = Math.sqrt((va * (1 - va)) / ra.n + (vb * (1 - vb)) / rb.n);
  }
  const effect = vb - va;
  const ci95: [number, number] = [effect - 1.96 * se, effect + 1.96 * se];
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
