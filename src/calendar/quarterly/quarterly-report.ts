import { STALE_DAYS, type AuditRule } from './library-audit';
import type { Contribution } from '../../library/contribution';
import type { QuarterlyOutcome } from './quarterly-types';
import type { PostRunCounts } from '../monthly/monthly-report';

const RULE_TITLES: Record<AuditRule, string> = {
  'no-owner': 'No owner',
  stale: `Stale (unchanged and unused for ${STALE_DAYS} days)`,
  'inconsistent-tags': 'Inconsistent tags',
  'no-golden-dataset': 'No golden dataset',
};
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * The quarterly run's markdown: the library audit, the dataset refresh review, the rollback drills, post-run
 * evals and who contributed over the quarter.
 */
export function renderQuarterlyReport(
  o: QuarterlyOutcome,
  postRun: PostRunCounts,
  contribution: Contribution[],
): string {
  const lines: string[] = [
    `# Quarterly library audit — ${o.asOf.slice(0, 10)}`,
    '',
    `Run \`${o.runId}\`, as of ${o.asOf}. ${o.items} library item(s) audited, ${o.findings.length} finding(s); ${
      o.datasets.filter((d) => d.verdict.status === 'refresh').length
    } dataset(s) to refresh; ${o.drills.length} rollback drill(s).`,
    '',
    '## Library audit',
    '',
  ];
  for (const rule of Object.keys(RULE_TITLES) as AuditRule[]) {
    const found = o.findings.filter((f) => f.rule === rule);
    lines.push(`### ${RULE_TITLES[rule]} (${found.length})`, '');
    if (found.length === 0) lines.push('None.');
    for (const f of found) lines.push(`- ${f.name}: ${f.detail}`);
    lines.push('');
  }

  lines.push(
    '## Golden dataset refresh review',
    '',
    'Each dataset against the last quarter of production inputs (`prompt_runs.input`): word-distribution divergence (Jensen–Shannon, 0–1), median input length, and the share of production inputs with no similar dataset input.',
    '',
  );
  if (o.datasets.length === 0) lines.push('No prompt has both a golden dataset and recorded production inputs.', '');
  else {
    lines.push(
      '| prompt | dataset | production inputs | divergence | median words (dataset → production) | uncovered | verdict |',
      '|---|---|---|---|---|---|---|',
    );
    for (const d of o.datasets) {
      const v = d.verdict;
      const verdict =
        v.status === 'refresh'
          ? `**refresh the dataset**: ${cell(v.reasons.join('; '))}`
          : v.status === 'insufficient'
            ? 'too few production inputs to judge'
            : 'still representative';
      lines.push(
        `| ${d.name} | ${d.dataset} v${d.datasetVersion} | ${v.productionInputs} | ${v.divergence} | ${v.medianWords.dataset} → ${v.productionInputs ? v.medianWords.production : '—'} | ${v.productionInputs ? pct(v.farShare) : '—'} | ${verdict} |`,
      );
    }
    lines.push('');
  }

  lines.push(
    '## Rollback drills',
    '',
    'Per production prompt, `staging` is moved through the HTTP API to another version while a client resolver created against that API follows it, then rolled back through the API; the time until the resolver serves the original again is recorded. Production itself is never moved. Without an API configured on the worker (REFINERY_API_URL, REFINERY_API_TOKEN) the drills are skipped, and say so.',
    '',
  );
  if (o.drills.length === 0) lines.push('No production prompts.', '');
  else {
    lines.push('| prompt | production | staging moved to | result | time to rollback |', '|---|---|---|---|---|');
    for (const d of o.drills)
      lines.push(
        `| ${d.name} | v${d.production} | ${d.target === undefined ? '—' : `v${d.target}`} | ${d.status}: ${cell(d.detail)} | ${
          d.timeToRollbackMs === undefined ? '—' : `${d.timeToRollbackMs} ms`
        } |`,
      );
    lines.push('');
  }
  lines.push(
    '## Post-run evals (last quarter)',
    '',
    `Tune runs: ${postRun.tune.total} evaluated, ${postRun.tune.effective} effective. Rollouts: ${postRun.rollout.total} evaluated, ${postRun.rollout.effective} effective.`,
    '',
    '## Contribution (last quarter)',
    '',
    'Per person, what completed in the quarter: versions they authored that reached production, improvement runs they started whose version reached production, review cases they accepted, and the feedback on those cases once a newer version shipped.',
    '',
  );
  if (contribution.length === 0) lines.push('No contributions this quarter.', '');
  else {
    lines.push(
      '| person | versions to production | improvements shipped | cases contributed | feedback resolved |',
      '|---|---|---|---|---|',
    );
    for (const c of contribution)
      lines.push(
        `| ${cell(c.person)} | ${c.versionsToProduction} | ${c.improvementsShipped} | ${c.casesContributed} | ${c.feedbackResolved} |`,
      );
    lines.push('');
  }
  return lines.join('\n');
}
