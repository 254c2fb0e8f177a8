import { failureReason, type StoredResult } from '../store/evals';
import type { EvalCase, EvalRunInput, EvalSummary } from './types';

/** The eval run's markdown report: summary, gate verdict, per-assertion figures and failing cases. */
export function renderEvalReport(p: {
  input: EvalRunInput;
  summary: EvalSummary;
  cases: EvalCase[];
  results: StoredResult[];
}): string {
  const s = p.summary;
  const out: string[] = [];
  out.push(
    `# Eval: ${p.input.target.name} v${p.input.target.version} on ${p.input.dataset.name}@${p.input.dataset.version}`,
    '',
  );
  out.push(`- **Run:** \`${s.runId}\` (${s.status})`);
  out.push(
    `- **Pass rate:** ${(s.passRate * 100).toFixed(1)}% — ${s.passed} passed, ${s.failed} failed, ${s.errors} errors of ${s.cases} cases`,
  );
  out.push(
    `- **Cost:** $${s.costUsd.toFixed(4)} (estimated before the run: $${s.estimate.costUsd.toFixed(4)} for ${s.estimate.calls} calls)`,
  );
  out.push(`- **Tokens:** ${s.tokens.input} in, ${s.tokens.output} out; ${s.fromCache} answers from the cache`);
  out.push(`- **Latency:** p50 ${s.latencyMs.p50} ms, p95 ${s.latencyMs.p95} ms, p99 ${s.latencyMs.p99} ms`);
  if (s.judge)
    out.push(`- **Judge:** mean ${s.judge.mean}, spread (sd) ${s.judge.spread} over ${s.judge.samples} samples`);
  if (s.trigger) {
    const t = s.trigger;
    const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
    out.push(
      `- **Trigger:** precision ${pct(t.precision)}, recall ${pct(t.recall)}, accuracy ${pct(t.accuracy)} over ${t.runs} runs of ${t.queries} queries (${t.truePositives} loaded rightly, ${t.falsePositives} loaded wrongly, ${t.falseNegatives} missed, ${t.trueNegatives} rightly left)`,
    );
  }
  if (s.gate) {
    out.push('', `## Gate: ${s.gate.passed ? 'PASSED' : 'FAILED'}`, '');
    out.push(
      s.gate.baselineRunId
        ? `Baseline: \`${s.gate.baselineRunId}\` (production's latest run on this dataset version).`
        : 'No baseline run: regressions were not checked.',
    );
    for (const f of s.gate.failures)
      out.push(`- **${f.cause}**: ${f.detail} — ${f.cases.slice(0, 20).join(', ')}${f.cases.length > 20 ? ', …' : ''}`);
    for (const n of s.gate.withinNoise) out.push(`- within noise (not failing): ${n.caseId}, p = ${n.pValue}`);
  }
  out.push('', '## Assertions', '', '| type | passed | failed |', '|---|---|---|');
  for (const a of s.perAssertion) out.push(`| ${a.type} | ${a.passed} | ${a.failed} |`);
  const failing = p.results.filter((r) => r.status !== 'pass').slice(0, 50);
  if (failing.length) {
    out.push('', '## Failing cases', '');
    for (const r of failing) {
      const why = failureReason(r);
      out.push(
        `- \`${r.caseId}\`${r.sample ? ` (sample ${r.sample + 1})` : ''}: ${why.replace(/\n/g, ' ').slice(0, 300)}`,
      );
    }
  }
  return out.join('\n') + '\n';
}
