import type { QualitySignals } from '../shared/quality-signal-store';
import { exactTailZ } from './tail-z';

/**
 * Alerts against a learned baseline rather than fixed thresholds: a day's signal is compared with the
 * version's 30-day baseline, and the deviation is measured in standard errors of the day's estimate.
 * Warning from WARNING_Z, Critical from CRITICAL_Z, and never below the minimum samples. Fixed
 * thresholds exist only as per-prompt overrides.
 */
export type Severity = 'warning' | 'critical';
export const ALERT_SIGNALS = [
  'format-compliance',
  'correction-rate',
  'error-rate',
  'thumbs-down-rate',
  'output-token-drift',
] as const;
export type AlertSignal = (typeof ALERT_SIGNALS)[number];

export interface AlertPolicy {
  warningZ: number;
  criticalZ: number;
  minSamples: number;
  /** A relative change smaller than this never alerts (practical floor), e.g. 0.25 = 25 %. */
  minRelativeChange: number;
  /** Per-prompt fixed thresholds: signal → value beyond which it is at least a warning. */
  overrides?: Partial<Record<AlertSignal, number>>;
}

// Five signals a day make about 150 one-sided tests a month. With exact tails, a Warning at z ≥ 3.5 gave a
// stable prompt (1,000 runs a day) a false alarm in 1 month of 100 simulated (test/calendar/daily-review);
// the normal approximation used before gave 7 of 100.
export const DEFAULT_ALERT_POLICY: AlertPolicy = {
  warningZ: 3.5,
  criticalZ: 5,
  minSamples: 50,
  minRelativeChange: 0.25,
};

/** The signal of an alert `refinery improve` raises when the failures it targeted did not fall after shipping. */
export const POST_ROLLOUT_SIGNAL = 'post-rollout-check';

export interface Finding {
  name: string;
  version: number;
  signal: AlertSignal | typeof POST_ROLLOUT_SIGNAL;
  severity: Severity;
  baseline: number;
  current: number;
  z: number;
  samples: number;
  /** Same prompt, version, signal: one open alert, however many days it persists. */
  dedupeKey: string;
  detail: string;
}

export interface SignalSpec {
  signal: AlertSignal;
  /** How reports name it. */
  label: string;
  value(s: QualitySignals): number | null;
  samples(s: QualitySignals): number;
  /** +1 when higher is worse, −1 when lower is worse. */
  worse: 1 | -1;
  /** A rate of outcomes (judged by its binomial tail), rather than a mean (output tokens). */
  proportion: boolean;
}

/** Each quality signal: where its value and sample count come from, and which way is worse. */
export const SIGNAL_SPECS: SignalSpec[] = [
  {
    signal: 'format-compliance',
    label: 'format compliance',
    value: (s) => s.formatComplianceRate,
    samples: (s) => s.volume,
    worse: -1,
    proportion: true,
  },
  {
    signal: 'correction-rate',
    label: 'user correction rate',
    value: (s) => s.correctionRate,
    samples: (s) => s.volume,
    worse: 1,
    proportion: true,
  },
  {
    signal: 'error-rate',
    label: 'downstream error rate',
    value: (s) => s.errorRate,
    samples: (s) => s.volume,
    worse: 1,
    proportion: true,
  },
  {
    signal: 'thumbs-down-rate',
    label: 'thumbs-down rate',
    value: (s) => s.thumbsDownRate,
    samples: (s) => s.votes,
    worse: 1,
    proportion: true,
  },
  {
    signal: 'output-token-drift',
    label: 'output tokens (mean)',
    value: (s) => s.meanOutputTokens,
    samples: (s) => s.volume,
    worse: 1,
    proportion: false,
  },
];

/** Findings for one version: today's window (`current`) against its 30-day baseline. */
export function evaluateAlerts(
  current: QualitySignals,
  baseline: QualitySignals,
  policy: AlertPolicy = DEFAULT_ALERT_POLICY,
): Finding[] {
  const findings: Finding[] = [];
  for (const spec of SIGNAL_SPECS) {
    const cur = spec.value(current);
    const base = spec.value(baseline);
    const n = spec.samples(current);
    if (cur === null || base === null || n < policy.minSamples || spec.samples(baseline) < policy.minSamples) continue;
    const delta = (cur - base) * spec.worse;
    // The bad side of a rate: failures for compliance (98 % → 93 % is failures 2 % → 7 %), the rate itself
    // otherwise. Proportions are judged by the exact binomial tail of today's bad count at the baseline's
    // bad rate (floored at 1 % so a perfect baseline can still move), as a z score. Token drift: a mean
    // over many calls is stable, so it is measured in units of 5 % of the baseline — a Warning at 17.5 %
    // drift, Critical at 25 %.
    const badBase = spec.worse === 1 ? base : 1 - base;
    const badCur = spec.worse === 1 ? cur : 1 - cur;
    const pBad = Math.min(0.99, Math.max(0.01, badBase));
    const z = !spec.proportion
      ? delta / Math.max(1e-9, Math.abs(base) * 0.05)
      : delta > 0
        ? exactTailZ(Math.round(badCur * n), n, pBad)
        : delta / Math.sqrt((pBad * (1 - pBad)) / n);
    // The practical floor for rates is relative on the bad side. Token drift carries its own scale.
    const relative = !spec.proportion ? Infinity : badBase === 0 ? Infinity : (badCur - badBase) / badBase;
    const override = policy.overrides?.[spec.signal];
    const overrideHit = override !== undefined && (spec.worse === 1 ? cur > override : cur < override);
    let severity: Severity | undefined;
    if (delta > 0 && relative >= policy.minRelativeChange) {
      if (z >= policy.criticalZ) severity = 'critical';
      else if (z >= policy.warningZ) severity = 'warning';
    }
    if (!severity && overrideHit) severity = 'warning';
    if (!severity) continue;
    findings.push({
      name: current.name,
      version: current.version,
      signal: spec.signal,
      severity,
      baseline: base,
      current: cur,
      z: Math.round(z * 100) / 100,
      samples: n,
      dedupeKey: `${current.name}@${current.version}:${spec.signal}`,
      detail: `${spec.signal} of ${current.name} v${current.version}: ${cur} against a 30-day baseline of ${base} (z = ${z.toFixed(1)}, ${n} samples)${overrideHit ? `; beyond the per-prompt threshold ${override}` : ''}`,
    });
  }
  return findings;
}

export interface OpenAlert {
  dedupeKey: string;
  severity: Severity;
  openedAt: string;
  status: 'open' | 'acknowledged' | 'resolved';
}

export type AlertAction =
  | { kind: 'open'; finding: Finding }
  | { kind: 'escalate'; dedupeKey: string; to: 'critical'; reason: string }
  | { kind: 'keep'; dedupeKey: string };

/** A Warning still unresolved after this long escalates to Critical (reference 001's daily review). */
export const ESCALATE_AFTER_MS = 24 * 3600 * 1000;

/**
 * What the daily review does with today's findings given the open alerts: open new ones, keep (dedupe)
 * ones already open, escalate a Warning open for 24 h or more, or one whose finding is now Critical.
 */
export function planAlerts(findings: Finding[], open: OpenAlert[], now: Date): AlertAction[] {
  const actions: AlertAction[] = [];
  const byKey = new Map(open.filter((a) => a.status !== 'resolved').map((a) => [a.dedupeKey, a]));
  for (const f of findings) {
    const existing = byKey.get(f.dedupeKey);
    if (!existing) actions.push({ kind: 'open', finding: f });
    else if (existing.severity === 'warning' && f.severity === 'critical')
      actions.push({
        kind: 'escalate',
        dedupeKey: f.dedupeKey,
        to: 'critical',
        reason: 'the deviation grew to critical',
      });
    else actions.push({ kind: 'keep', dedupeKey: f.dedupeKey });
  }
  for (const a of byKey.values()) {
    const aged = now.getTime() - Date.parse(a.openedAt) >= ESCALATE_AFTER_MS;
    if (
      a.severity === 'warning' &&
      a.status === 'open' &&
      aged &&
      !actions.some((x) => x.kind === 'escalate' && x.dedupeKey === a.dedupeKey)
    ) {
      actions.push({
        kind: 'escalate',
        dedupeKey: a.dedupeKey,
        to: 'critical',
        reason: 'a warning unresolved for 24 h',
      });
    }
  }
  return actions;
}
