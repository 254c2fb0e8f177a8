import type { MonthlyOutcome } from './monthly-types';

export interface PostRunCounts {
  tune: { total: number; effective: number };
  rollout: { total: number; effective: number };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The monthly run's markdown: regressions first (what needs a person), then every prompt, then thresholds. */
export function renderMonthlyReport(o: MonthlyOutcome, postRun: PostRunCounts): string {
  const byName = new Map(o.comparisons.map((c) => [c.name, c]));
  const tunes = new Map(o.tunesStarted.map((t) => [t.name, t]));
  const skipped = new Map(o.tunesSkipped.map((t) => [t.name, t.reason]));
  const regressed = o.results.filter((r) => byName.get(r.name)?.verdict === 'regressed');
  const lines: string[] = [
    `# Monthly golden re-run — ${o.asOf.slice(0, 10)}`,
    '',
    `Run \`${o.runId}\`, as of ${o.asOf}. ${
      o.plan.previousRunId
        ? `Compared with the monthly run \`${o.plan.previousRunId}\`.`
        : 'No earlier monthly run: this month sets the comparison for the next.'
    }`,
    '',
    `${o.results.length} active prompt(s) re-run on their golden datasets, ${regressed.length} regressed, ${o.tunesStarted.length} tune run(s) started.`,
    '',
    `## Regressions (${regressed.length})`,
    '',
  ];
  if (regressed.length === 0) lines.push('None.', '');
  else {
    lines.push('| prompt | version | dataset | pass rate | why | follow-up |', '|---|---|---|---|---|---|');
    for (const r of regressed) {
      const c = byName.get(r.name)!;
      const prev = o.plan.targets.find((t) => t.name === r.name)?.previous;
      const tune = tunes.get(r.name);
      lines.push(
        `| ${r.name} | v${r.version} | ${r.dataset} v${r.datasetVersion} | ${prev ? `${pct(prev.passRate)} → ` : ''}${pct(r.passRate)} | ${cell(c.reasons.join('; '))} | ${
          tune
            ? `tune \`${tune.workflowId}\` (write its outcome: \`refinery outcome ${tune.workflowId} --write --dir <folder>\`)`
            : cell(skipped.get(r.name) ?? 'none')
        } |`,
      );
    }
    lines.push('');
  }

  lines.push(
    '## Every active prompt',
    '',
    '| prompt | kind | version | dataset | cases | pass rate | change | gate | verdict | eval report |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of o.results) {
    const c = byName.get(r.name);
    const delta = c?.deltaPoints === undefined ? '—' : `${c.deltaPoints > 0 ? '+' : ''}${c.deltaPoints} pts`;
    lines.push(
      r.error
        ? `| ${r.name} | ${r.kind} | v${r.version} | ${r.dataset} v${r.datasetVersion} | — | — | — | — | error: ${cell(r.error)} | — |`
        : `| ${r.name} | ${r.kind} | v${r.version} | ${r.dataset} v${r.datasetVersion} | ${r.cases} | ${pct(r.passRate)} | ${delta} | ${
            r.gatePassed ? 'passed' : `failed (${r.gateCauses.join(', ')})`
          } | ${c?.verdict ?? '—'} | ${r.reportRef ? `\`${r.reportRef.slice(0, 12)}\`` : '—'} |`,
    );
  }
  lines.push('');
  if (o.plan.withoutDataset.length)
    lines.push(`Not re-run — production prompts without a golden dataset: ${o.plan.withoutDataset.join(', ')}.`, '');

  const changed = o.recalibration.filter((d) => d.action !== 'keep');
  lines.push('## Baseline recalibration', '');
  lines.push(
    'The 30-day baselines are learned again by every daily review; this adjusts how far from them a day must be to alert, from how alerts were resolved in the last 30 days.',
    '',
  );
  if (changed.length === 0) lines.push('No threshold changed.', '');
  else {
    lines.push('| prompt | change | warning z | critical z | why |', '|---|---|---|---|---|');
    for (const d of changed)
      lines.push(
        `| ${d.name} | ${d.action} | ${d.from.warningZ} → ${d.to.warningZ} | ${d.from.criticalZ} → ${d.to.criticalZ} | ${cell(d.reason)} |`,
      );
    lines.push('');
  }
  const kept = o.recalibration.filter((d) => d.action === 'keep' && d.resolved > 0);
  for (const d of kept) lines.push(`- ${d.name}: kept (${d.reason})`);
  if (kept.length) lines.push('');

  lines.push(
    '## Post-run evals (last 30 days)',
    '',
    `Tune runs: ${postRun.tune.total} evaluated, ${postRun.tune.effective} effective. Rollouts: ${postRun.rollout.total} evaluated, ${postRun.rollout.effective} effective.`,
    '',
  );
  return lines.join('\n');
}
