/**
 * The monthly golden re-run's comparison (reference 001: "compare results against previous month,
 * flag regressions"). One prompt's result this month against its result in the previous monthly run.
 *
 * A prompt has regressed when
 *  (a) its gate passed last month and fails now — the same bar a release has to clear, so a prompt
 *      that could not ship today is flagged whatever the size of the drop; or
 *  (b) on the same dataset version, its pass rate fell by at least REGRESSION_POINTS and the fall is
 *      beyond noise (a two-proportion z-test at NOISE_Z) — this catches decay while the gate still
 *      passes (95 % → 85 % with a threshold of 80 %), and the noise test keeps a one-case flip on a
 *      small dataset from starting a tune every month.
 * Against another dataset version, pass rates count different cases, so only (a) applies.
 */

/** What one prompt's golden re-run produced (small: it travels in history and in calendar_runs). */
export interface GoldenResult {
  name: string;
  kind: 'prompt' | 'skill';
  version: number;
  dataset: string;
  datasetVersion: number;
  evalRunId: string;
  cases: number;
  passed: number;
  passRate: number;
  gatePassed: boolean;
  /** Gate failure causes, e.g. pass-rate, required-case-failed. */
  gateCauses: string[];
  reportRef?: string;
  /** The eval run did not finish (provider refused, target missing): nothing to compare. */
  error?: string;
}

/** Last month's figures for a prompt, as the previous monthly run recorded them. */
export type PreviousResult = Pick<
  GoldenResult,
  'version' | 'dataset' | 'datasetVersion' | 'cases' | 'passed' | 'passRate' | 'gatePassed'
> & { evalRunId?: string };

export type Verdict = 'regressed' | 'steady' | 'improved' | 'first-run' | 'error';

export interface Comparison {
  name: string;
  verdict: Verdict;
  /** Pass-rate change in percentage points (this month − last month), when comparable. */
  deltaPoints?: number;
  /** Why it is flagged (regressed only). */
  reasons: string[];
}

export const REGRESSION_POINTS = 5;
export const NOISE_Z = 2;

/** z of a fall from p1 (n1 cases) to p2 (n2 cases), pooled two-proportion test; 0 when undefined. */
export function fallZ(p1: number, n1: number, p2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 0;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 0;
  return (p1 - p2) / se;
}

export function compareGolden(current: GoldenResult, previous: PreviousResult | undefined): Comparison {
  if (current.error) return { name: current.name, verdict: 'error', reasons: [] };
  if (!previous) return { name: current.name, verdict: 'first-run', reasons: [] };
  const points = Math.round((current.passRate - previous.passRate) * 1000) / 10;
  const sameCases = previous.dataset === current.dataset && previous.datasetVersion === current.datasetVersion;
  const reasons: string[] = [];
  if (previous.gatePassed && !current.gatePassed)
    reasons.push(
      `the gate passed last month (v${previous.version}) and fails now (v${current.version}: ${current.gateCauses.join(', ') || 'failed'})`,
    );
  if (
    sameCases &&
    -points >= REGRESSION_POINTS &&
    fallZ(previous.passRate, previous.cases, current.passRate, current.cases) >= NOISE_Z
  )
    reasons.push(
      `pass rate fell ${-points} points (${pct(previous.passRate)} → ${pct(current.passRate)}) on the same ${current.cases} cases`,
    );
  const deltaPoints = sameCases ? points : undefined;
  if (reasons.length) return { name: current.name, verdict: 'regressed', deltaPoints, reasons };
  const better = (!previous.gatePassed && current.gatePassed) || (sameCases && points >= REGRESSION_POINTS);
  return { name: current.name, verdict: better ? 'improved' : 'steady', deltaPoints, reasons };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** The record the next monthly run compares with (what calendar_runs keeps per prompt). */
export function toPrevious(r: GoldenResult): PreviousResult | undefined {
  if (r.error) return undefined;
  return {
    version: r.version,
    dataset: r.dataset,
    datasetVersion: r.datasetVersion,
    cases: r.cases,
    passed: r.passed,
    passRate: r.passRate,
    gatePassed: r.gatePassed,
    evalRunId: r.evalRunId,
  };
}
