import { welch } from './stats';

/** One case's samples as the gate sees them (a case with `repeat k` has k samples). */
export interface CaseOutcome {
  caseId: string;
  samples: { status: 'pass' | 'fail' | 'error'; judgeScore?: number }[];
}

export interface GateInput {
  cases: { id: string; required: boolean }[];
  candidate: CaseOutcome[];
  /** The production version's latest run on the same dataset version; absent on a first run. */
  baseline?: CaseOutcome[];
  /** Minimum share of cases passing, 0..1. */
  passRateThreshold: number;
  /** Significance level of the noise test on judge scores. */
  alpha?: number;
}

export type GateCause = 'required-case-failed' | 'regression' | 'missing-or-invalid' | 'pass-rate';

export interface GateVerdict {
  passed: boolean;
  passRate: number;
  failures: { cause: GateCause; detail: string; cases: string[] }[];
  /** Baseline passes that now fail but within noise: reported, not failing. */
  withinNoise: { caseId: string; pValue: number }[];
}

/** A case passes when most of its samples pass (a single sample decides alone). */
export function casePasses(o: CaseOutcome): boolean {
  const passes = o.samples.filter((s) => s.status === 'pass').length;
  return passes * 2 > o.samples.length;
}

/**
 * The eval gate. It fails when a required case fails; when a case that passed in the baseline now
 * fails beyond noise (with repeats and judge scores: Welch's t-test on the scores at `alpha`; without
 * them every such flip counts); when results are missing or invalid; or when the pass rate is under
 * the threshold.
 */
export function evaluateGate(g: GateInput): GateVerdict {
  const alpha = g.alpha ?? 0.05;
  const byId = new Map(g.candidate.map((c) => [c.caseId, c]));
  const baseById = new Map((g.baseline ?? []).map((c) => [c.caseId, c]));
  const failures: GateVerdict['failures'] = [];
  const withinNoise: GateVerdict['withinNoise'] = [];

  const missing = g.cases.filter((c) => {
    const o = byId.get(c.id);
    return !o || o.samples.length === 0 || o.samples.some((s) => s.status === 'error');
  });
  if (missing.length) {
    failures.push({
      cause: 'missing-or-invalid',
      detail: `${missing.length} case(s) have no valid result`,
      cases: missing.map((c) => c.id),
    });
  }

  // Sets, not arrays: at tens of thousands of cases a lookup per case must not scan the list.
  const missingSet = new Set(missing);
  const evaluated = g.cases.filter((c) => !missingSet.has(c));
  const passing = new Set(evaluated.filter((c) => casePasses(byId.get(c.id)!)));
  const requiredFailed = g.cases.filter((c) => c.required && !passing.has(c));
  if (requiredFailed.length) {
    failures.push({
      cause: 'required-case-failed',
      detail: `${requiredFailed.length} required case(s) failed`,
      cases: requiredFailed.map((c) => c.id),
    });
  }

  const regressions: string[] = [];
  for (const c of evaluated) {
    const base = baseById.get(c.id);
    const cand = byId.get(c.id)!;
    if (!base || !casePasses(base) || casePasses(cand)) continue;
    const a = base.samples.map((s) => s.judgeScore).filter((x): x is number => x !== undefined);
    const b = cand.samples.map((s) => s.judgeScore).filter((x): x is number => x !== undefined);
    const test = welch(a, b);
    if (test && test.pGreater >= alpha)
      withinNoise.push({ caseId: c.id, pValue: Math.round(test.pGreater * 1e4) / 1e4 });
    else regressions.push(c.id);
  }
  if (regressions.length) {
    failures.push({
      cause: 'regression',
      detail: `${regressions.length} case(s) passed in the baseline and now fail beyond noise`,
      cases: regressions,
    });
  }

  const passRate = g.cases.length ? passing.size / g.cases.length : 0;
  if (passRate < g.passRateThreshold) {
    failures.push({
      cause: 'pass-rate',
      detail: `pass rate ${(passRate * 100).toFixed(1)}% is under the threshold ${(g.passRateThreshold * 100).toFixed(1)}%`,
      cases: g.cases.filter((c) => !passing.has(c)).map((c) => c.id),
    });
  }
  return { passed: failures.length === 0, passRate, failures, withinNoise };
}
