import { alertQueueMarkdown, type QueuedAlert } from '../alerts/alert-queue';
import { trendCounts, type ActionItem, type PromptTrends, type Trend } from './trends';

/**
 * The weekly written summary for the ops log (reference 001): trends per prompt, action items where a
 * trend turned negative, the week's alerts, the unresolved queue with age and owner, and how many
 * post-run evals were written. Pure: the activity gathers the inputs and stores the markdown.
 */
/** countPostRunEvals' answer: how many post-run evals, and how many called the run effective. */
export interface PostRunEvalCounts {
  tune: { total: number; effective: number };
  rollout: { total: number; effective: number };
}

export interface WeeklyReportInput {
  asOf: string;
  since: string;
  prompts: PromptTrends[];
  actionItems: ActionItem[];
  queue: QueuedAlert[];
  unresolvedTotal: number;
  alertsThisWeek: { opened: number; escalated: number; resolved: number; falsePositives: number };
  postRunEvals: PostRunEvalCounts;
}

const DIRECTION: Record<Trend['direction'], string> = {
  negative: '**negative**',
  positive: 'improved',
  stable: 'stable',
  'too-few-samples': 'too few samples',
};

const cell = (t: Trend, x: number | null) =>
  x === null ? 'n/a' : t.signal === 'output-token-drift' ? String(x) : `${Math.round(x * 10_000) / 100} %`;
const change = (t: Trend) =>
  t.relativeChange === null ? '' : `${t.relativeChange > 0 ? '+' : ''}${Math.round(t.relativeChange * 1000) / 10} %`;

export function weeklyCounts(r: WeeklyReportInput) {
  const trends = trendCounts(r.prompts);
  return {
    prompts: trends.prompts,
    negativeTrends: trends.negativeTrends,
    actionItems: r.actionItems.length,
    unresolvedAlerts: r.unresolvedTotal,
    alertsOpened: r.alertsThisWeek.opened,
    postRunEvals: r.postRunEvals.tune.total + r.postRunEvals.rollout.total,
  };
}

export function weeklyReport(r: WeeklyReportInput): string {
  const c = weeklyCounts(r);
  const day = (iso: string) => iso.slice(0, 10);
  const lines = [
    `# Weekly quality trends, ${day(r.since)} to ${day(r.asOf)}`,
    '',
    `${c.prompts} production version(s) reviewed: the 7 days up to ${r.asOf} against the 7 days before. ` +
      `${c.negativeTrends} negative trend(s), ${c.actionItems} action item(s), ${c.unresolvedAlerts} unresolved alert(s), ` +
      `${c.postRunEvals} post-run eval(s) written this week.`,
    '',
    '## Action items',
    '',
  ];
  if (r.actionItems.length === 0) lines.push('None: no trend turned negative this week.');
  for (const a of r.actionItems) lines.push(`- [ ] **${a.owner ?? 'unowned'}**: ${a.text}`);

  lines.push('', '## Trends per prompt', '');
  if (r.prompts.length === 0) lines.push('No production versions: label one with `refinery label <name> production`.');
  for (const p of [...r.prompts].sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push(
      `### ${p.name} v${p.version}${p.owner ? ` (owner: ${p.owner})` : ''}`,
      '',
      `Runs: ${p.volume.current} this week, ${p.volume.previous} the week before.`,
      '',
      '| signal | previous 7 days | last 7 days | change | z | trend |',
      '|---|---|---|---|---|---|',
      ...p.trends.map(
        (t) =>
          `| ${t.label} | ${cell(t, t.previous)} | ${cell(t, t.current)} | ${change(t)} | ${t.z ?? ''} | ${DIRECTION[t.direction]} |`,
      ),
      '',
    );
  }

  const w = r.alertsThisWeek;
  lines.push(
    '## Alerts this week',
    '',
    `${w.opened} opened, ${w.escalated} escalated to Critical, ${w.resolved} resolved (${w.falsePositives} as false positives).`,
    '',
    `## Unresolved alerts (${r.unresolvedTotal})`,
    '',
    ...alertQueueMarkdown(r.queue, r.unresolvedTotal, r.asOf),
    '',
    '## Post-run evals',
    '',
  );
  const e = r.postRunEvals;
  if (e.tune.total + e.rollout.total === 0)
    lines.push(
      'None written this week. After each tune or rollout: `refinery review tune|rollout <id> --effective yes|no --better "…"`.',
    );
  else
    lines.push(
      `- tunes: ${e.tune.total} (${e.tune.effective} effective)`,
      `- rollouts: ${e.rollout.total} (${e.rollout.effective} effective)`,
    );
  return lines.join('\n') + '\n';
}
