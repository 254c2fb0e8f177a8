import type { StoredResult } from '../store/evals';
import { casePasses, type CaseOutcome } from './gate';
import { mean, percentile, stddev } from './stats';
import type { EvalCase, EvalSummary } from './types';
import { readTriggerOutput, triggerAssertionOf, triggerMetrics, type TriggerRun } from '../skills/trigger';

/** Every answered run of a trigger case: whether it should have loaded the skill, and whether it did. */
export function triggerRuns(cases: readonly EvalCase[], results: readonly StoredResult[]): TriggerRun[] {
  const should = new Map<string, boolean>();
  for (const c of cases) {
    const t = triggerAssertionOf(c.assertions);
    if (t) should.set(c.id, t.should);
  }
  // Only trigger cases' outputs are read: parsing every other output as JSON (a throw each) cost a run's summary
  // microseconds per case.
  if (should.size === 0) return [];
  return results.flatMap((r) => {
    const s = should.get(r.caseId);
    const o = s === undefined || r.status === 'error' ? undefined : readTriggerOutput(r.output);
    return o && s !== undefined ? [{ caseId: r.caseId, should: s, loaded: o.candidateLoaded }] : [];
  });
}

/** The run's figures: pass rate by case, per-assertion counts, judge mean and spread, tokens, cost, latency. */
export function summarise(p: {
  runId: string;
  cases: EvalCase[];
  results: StoredResult[];
  estimate: { calls: number; costUsd: number };
  status: EvalSummary['status'];
  gate: EvalSummary['gate'];
}): EvalSummary {
  const byCase = new Map<string, CaseOutcome>();
  for (const r of p.results) {
    const o = byCase.get(r.caseId) ?? { caseId: r.caseId, samples: [] };
    o.samples.push({ status: r.status, judgeScore: r.judgeScore ?? undefined });
    byCase.set(r.caseId, o);
  }
  const evaluated = [...byCase.values()];
  const errors = evaluated.filter((o) => o.samples.some((s) => s.status === 'error')).length;
  const passed = evaluated.filter((o) => !o.samples.some((s) => s.status === 'error') && casePasses(o)).length;
  const perAssertion = new Map<string, { type: string; passed: number; failed: number }>();
  for (const r of p.results) {
    for (const a of r.assertions) {
      const agg = perAssertion.get(a.type) ?? { type: a.type, passed: 0, failed: 0 };
      if (a.pass) agg.passed++;
      else agg.failed++;
      perAssertion.set(a.type, agg);
    }
  }
  const judgeScores = p.results.map((r) => r.judgeScore).filter((x): x is number => x !== null);
  const latencies = p.results.map((r) => r.latencyMs).filter((x): x is number => x !== null);
  const round = (n: number) => Math.round(n * 100) / 100;
  const triggered = triggerRuns(p.cases, p.results);
  return {
    runId: p.runId,
    status: p.status,
    cases: p.cases.length,
    evaluated: evaluated.length,
    passed,
    failed: evaluated.length - passed - errors,
    errors,
    passRate: p.cases.length ? round(passed / p.cases.length) : 0,
    perAssertion: [...perAssertion.values()].sort((a, b) => a.type.localeCompare(b.type)),
    judge: judgeScores.length
      ? { mean: round(mean(judgeScores)), spread: round(stddev(judgeScores)), samples: judgeScores.length }
      : undefined,
    ...(triggered.length ? { trigger: triggerMetrics(triggered) } : {}),
    tokens: {
      input: p.results.reduce((n, r) => n + r.inputTokens, 0),
      output: p.results.reduce((n, r) => n + r.outputTokens, 0),
    },
    costUsd: Math.round(p.results.reduce((n, r) => n + r.costUsd, 0) * 1e6) / 1e6,
    estimate: p.estimate,
    latencyMs: latencies.length
      ? { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) }
      : { p50: 0, p95: 0, p99: 0 },
    fromCache: p.results.filter((r) => r.cached).length,
    gate: p.gate,
  };
}
