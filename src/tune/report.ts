import { assertivenessRating } from './assertiveness';
import {
  DIMENSIONS,
  type DecisionRecord,
  type IterationRecord,
  type RecurringFinding,
  type RunModels,
  type TerminationReason,
} from './types';

export interface ReportData {
  runId: string;
  skills: string[];
  cycleDate: string;
  threshold: number;
  termination?: TerminationReason;
  iterations: IterationRecord[];
  rationales: Record<number, string>;
  bestIteration: number;
  chosenVersions: Record<string, number | undefined>;
  /** The chosen version is meant for the skill folder (the client that waits writes it). */
  writeBack: boolean;
  candidate: boolean;
  dryRun: boolean;
  decisions: DecisionRecord[];
  warnings: string[];
  recurring: RecurringFinding[];
  assertiveness: {
    score: number;
    extraIterations: number;
    failedEvaluations: number;
    unmetCriteria: number;
    humanRejected: boolean;
  };
  diff?: string;
  promptLinks?: Record<string, string>;
  /** The models the run used, as the worker resolved them. */
  models?: RunModels;
}

const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '—' : String(Math.round(n * 10) / 10));

/** A text bar chart of the score progression: renders anywhere Markdown does. */
function barChart(iterations: IterationRecord[], threshold: number): string {
  const lines = iterations.map((it) => {
    const n = Math.round((it.score ?? 0) / 2);
    return `it ${String(it.iteration).padStart(2)} | ${'█'.repeat(n)}${' '.repeat(50 - n)} | ${fmt(it.score)}`;
  });
  const mark = Math.round(threshold / 2);
  return ['```', ...lines, `threshold  ${' '.repeat(mark)}^ ${threshold}`, '```'].join('\n');
}

/** The tune run's markdown report (reference 003's sections adapted to a tune run). */
export function renderTuneReport(d: ReportData): string {
  const best = d.iterations.find((i) => i.iteration === d.bestIteration);
  const tokens = d.iterations.reduce((n, i) => n + i.tokens, 0);
  const cost = d.iterations.reduce((n, i) => n + i.costUsd, 0);
  const a = d.assertiveness;
  const out: string[] = [];
  out.push(`# Tune report: ${d.skills.join(' → ')}`, '');
  out.push(`- **Run:** \`${d.runId}\``);
  out.push(`- **Cycle:** ${d.cycleDate}`);
  out.push(`- **Termination:** ${d.termination ?? 'running'}`);
  out.push(
    `- **Best:** iteration ${d.bestIteration}, score ${fmt(best?.score)} (threshold ${d.threshold})` +
      Object.entries(d.chosenVersions)
        .map(([s, v]) => ` — ${s} v${v ?? '?'}${d.promptLinks?.[s] ? ` (${d.promptLinks[s]})` : ''}`)
        .join(''),
  );
  out.push(
    `- **Outcome:** ${d.writeBack ? `for the skill folder (written by the client that waits: \`refinery outcome ${d.runId} --write\`)` : d.dryRun ? 'dry run: folder untouched' : d.candidate ? 'kept as a candidate; the original stays' : 'folder unchanged'}`,
  );
  out.push(`- **Assertiveness:** ${a.score}/100 (${assertivenessRating(a.score)})`);
  if (d.models) {
    const m = (r: { provider: string; model: string }) => `${r.provider}:${r.model}`;
    out.push(
      `- **Models:** executor ${m(d.models.executor)} · judge ${m(d.models.judge)} · improver ${m(d.models.improver)}` +
        (d.models.sameFamilyWarning ? ' (judge and executor share a model family: see the warnings)' : ''),
    );
  }
  const judgeFailures = d.iterations.filter((i) => i.judgeFailure);
  const assertionErrors = d.iterations.reduce((n, i) => n + (i.assertions?.errored ?? 0), 0);
  out.push(
    `- **Judge failures:** ${judgeFailures.length}${judgeFailures.length ? ` (iteration ${judgeFailures.map((i) => i.iteration).join(', ')}: each scored as a failed case)` : ''}` +
      (assertionErrors ? `  **Assertion errors:** ${assertionErrors} (each counted as a failed assertion)` : ''),
  );
  out.push(`- **Tokens:** ${tokens}  **Estimated cost:** $${cost.toFixed(4)}`, '');

  out.push('## Score progression', '');
  out.push(
    `| Iteration | Score | ${DIMENSIONS.map((d) => d[0]!.toUpperCase() + d.slice(1)).join(' | ')} | Assertions | Tokens | Notes |`,
  );
  out.push(`|---|---|${DIMENSIONS.map(() => '---').join('|')}|---|---|---|`);
  for (const it of d.iterations) {
    const notes = [
      ...(it.judgeFailure ? [`judge failed on the ${it.judgeFailure.case}: scored 0`] : []),
      ...it.errors.filter((e) => !it.judgeFailure || !e.startsWith('judge failed')),
      ...(it.assertionErrors ?? []),
    ].join('; ');
    out.push(
      `| ${it.iteration} | ${fmt(it.score)} | ${DIMENSIONS.map((k) => fmt(it.score === null ? null : it.dimensions[k])).join(' | ')} | ${it.assertions ? `${it.assertions.passed}/${it.assertions.total}` : '—'} | ${it.tokens} | ${notes.replace(/\|/g, '/')} |`,
    );
  }
  out.push('', barChart(d.iterations, d.threshold), '');

  const reads = d.iterations.filter((it) => it.filesRead);
  if (reads.length > 0) {
    // Progressive disclosure at work: a file no iteration reads is a candidate for removal or merging.
    out.push('## Files the executor read', '');
    for (const it of reads)
      for (const [skill, files] of Object.entries(it.filesRead!))
        out.push(
          `- Iteration ${it.iteration}, ${skill}: ${files.length ? files.map((f) => `\`${f}\``).join(', ') : 'SKILL.md only'}`,
        );
    out.push('');
  }

  out.push('## Changes per iteration', '');
  for (const it of d.iterations) {
    const imp = it.improvement;
    if (!imp) out.push(`- Iteration ${it.iteration}: no improvement step (the loop ended here).`);
    else if (imp.status === 'applied')
      out.push(`- Iteration ${it.iteration}: ${imp.skill} improved — ${d.rationales[it.iteration] ?? ''}`);
    else
      out.push(
        `- Iteration ${it.iteration}: improvement ${imp.status}${imp.reason ? ` — ${imp.reason}` : ''}; the skill was rolled back to the iteration's snapshot.`,
      );
  }
  out.push('');

  if (d.warnings.length) out.push('## Warnings', '', ...d.warnings.map((w) => `- ${w}`), '');
  if (d.decisions.length) {
    out.push('## Human decisions', '');
    for (const dec of d.decisions) {
      out.push(
        `- ${dec.decidedAt}: **${dec.action}**${dec.iterations ? ` (+${dec.iterations} iterations)` : ''} by ${dec.by} on "${dec.reason}"${dec.timedOut ? ' (timed out)' : ''}${dec.note ? ` — ${dec.note}` : ''}`,
      );
    }
    out.push('');
  }
  if (d.recurring.length) {
    out.push('## Recurring issues', '');
    for (const r of d.recurring)
      out.push(`- **${r.classification}** ${r.skill}: \`${r.category}\` (occurrence ${r.occurrence} across runs)`);
    out.push('');
  }

  out.push('## Assertiveness', '');
  out.push(
    '`100 − min(30, 10·extra iterations) − 20·(any failed evaluation) − min(40, 10·unmet criteria)`; 0 on a human rejection.',
    '',
  );
  out.push(`| Event | Count | Points |`, `|---|---|---|`);
  out.push(`| Extra iterations | ${a.extraIterations} | −${Math.min(30, a.extraIterations * 10)} |`);
  out.push(`| Failed evaluations | ${a.failedEvaluations} | −${a.failedEvaluations > 0 ? 20 : 0} |`);
  out.push(`| Unmet criteria | ${a.unmetCriteria} | −${Math.min(40, a.unmetCriteria * 10)} |`);
  out.push(`| Human rejection | ${a.humanRejected ? 'yes' : 'no'} | ${a.humanRejected ? 'score = 0' : '0'} |`, '');

  if (a.score < 70) {
    out.push('## Root cause analysis', '');
    const events: string[] = [];
    if (a.humanRejected)
      events.push('A person rejected the outcome: the loop did not produce a version they would ship.');
    if (judgeFailures.length)
      events.push(
        `The judge failed in iteration(s) ${judgeFailures.map((i) => i.iteration).join(', ')}: check the judge provider's status and key; those iterations scored as failed and were never chosen.`,
      );
    const rolled = d.iterations.filter((i) => i.improvement?.status === 'rolled-back');
    if (rolled.length)
      events.push(
        `Improvements were rolled back in iteration(s) ${rolled.map((i) => i.iteration).join(', ')}: the improver proposed edits that could not be applied.`,
      );
    if (a.unmetCriteria)
      events.push(
        `${a.unmetCriteria} criterion/criteria stayed unmet at the best version (threshold or golden assertions).`,
      );
    if (a.extraIterations >= 3)
      events.push(`${a.extraIterations + 1} iterations were needed: the weaknesses were not fixed in one step.`);
    const cats = new Map<string, number>();
    for (const it of d.iterations) for (const c of it.weaknessCategories) cats.set(c, (cats.get(c) ?? 0) + 1);
    const top = [...cats].sort((x, y) => y[1] - x[1]).slice(0, 3);
    if (top.length)
      events.push(
        `Most frequent weaknesses: ${top.map(([c, n]) => `${c} (${n}×)`).join(', ')}: the likeliest root cause; address them in the skill directly.`,
      );
    out.push(...events.map((e) => `- ${e}`), '');
  }
  if (d.diff)
    out.push(
      '## Diff of the outcome',
      '',
      '```diff',
      d.diff.length > 20000 ? `${d.diff.slice(0, 20000)}\n… (truncated)` : d.diff,
      '```',
      '',
    );
  return out.join('\n');
}
