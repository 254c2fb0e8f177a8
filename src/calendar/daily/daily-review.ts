import { alertQueueMarkdown, type QueuedAlert } from '../alerts/alert-queue';
import type { Finding } from '../alerts/alert-rules';

/**
 * The daily monitoring review's decisions that are not alert rules: which windows are compared, and
 * what the day's report says. Pure; the activities read the store and call these.
 */
export const DAY_MS = 86_400_000;
export const BASELINE_DAYS = 30;

export interface Window {
  days: number;
  /** Exclusive start is end − days; the window is (end − days, end]. */
  end: Date;
}

/**
 * Today is the 24 hours up to asOf. The baseline is the 30 days before that, ending where today
 * starts: a regression must not leak into the baseline it is measured against, or a bad day would
 * pull its own baseline towards it and hide.
 */
export function reviewWindows(asOf: Date): { current: Window; baseline: Window } {
  return {
    current: { days: 1, end: asOf },
    baseline: { days: BASELINE_DAYS, end: new Date(asOf.getTime() - DAY_MS) },
  };
}

/**
 * What the workflow carries from the review to the alert store: counts and the findings' blob. An
 * outage can put a finding on every signal of every prompt; as a blob they cost the history one hash.
 */
export interface ReviewSummary {
  /** Production versions reviewed. */
  reviewed: number;
  /** Of those, versions with too few samples today or in the baseline to judge any signal. */
  tooFewSamples: number;
  findings: number;
  /** Blob of the Finding[] (worst first). */
  findingsRef: string;
}

export function worstFirst(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === 'critical' ? 0 : 1);
  return [...findings].sort((a, b) => rank(a) - rank(b) || b.z - a.z || a.dedupeKey.localeCompare(b.dedupeKey));
}

export type NotifyOutcome = 'sent' | 'skipped' | 'failed';

export interface DailyOutcome {
  opened: string[];
  escalated: string[];
  kept: number;
  unresolved: number;
}

/** The counts a daily run records in calendar_runs (and `refinery reports` prints). */
export function dailyCounts(f: ReviewSummary, o: DailyOutcome, notified: NotifyOutcome) {
  return {
    reviewed: f.reviewed,
    tooFewSamples: f.tooFewSamples,
    findings: f.findings,
    opened: o.opened.length,
    escalated: o.escalated.length,
    kept: o.kept,
    unresolved: o.unresolved,
    notified: notified === 'sent' ? 1 : 0,
    notifyFailed: notified === 'failed' ? 1 : 0,
  };
}

export interface ChangedAlert {
  alertId: string;
  severity: string;
  detail: string;
  escalationReason: string | null;
}

export interface DailyReportInput {
  asOf: string;
  reviewed: number;
  tooFewSamples: number;
  findings: Finding[];
  opened: ChangedAlert[];
  escalated: ChangedAlert[];
  notified: NotifyOutcome;
  queue: QueuedAlert[];
  unresolvedTotal: number;
}

const pct = (x: number) => `${(x * 100).toFixed(2).replace(/\.?0+$/, '')} %`;
const value = (f: Finding) => (f.signal === 'output-token-drift' ? String(f.current) : pct(f.current));
const base = (f: Finding) => (f.signal === 'output-token-drift' ? String(f.baseline) : pct(f.baseline));

/** The day's written record: what changed, what was seen, and the queue someone has to work through. */
export function dailyReport(r: DailyReportInput): string {
  const lines = [
    `# Daily monitoring review, ${r.asOf.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Reviewed ${r.reviewed} production version(s): the 24 h up to ${r.asOf} against each version's ${BASELINE_DAYS}-day baseline ending where that day starts.` +
      (r.tooFewSamples ? ` ${r.tooFewSamples} had too few samples to judge.` : ''),
    '',
    '## New and escalated alerts',
    '',
  ];
  if (r.opened.length + r.escalated.length === 0) lines.push('None.');
  for (const a of r.opened)
    lines.push(
      `- **${a.severity.toUpperCase()}** opened \`${a.alertId}\`: ${a.detail}${a.severity === 'critical' ? '; logged as an incident' : ''}`,
    );
  for (const a of r.escalated)
    lines.push(
      `- **${a.severity.toUpperCase()}** escalated \`${a.alertId}\` (${a.escalationReason ?? 'escalated'}): ${a.detail}; logged as an incident`,
    );
  if (r.opened.length + r.escalated.length > 0)
    lines.push(
      '',
      r.notified === 'sent'
        ? 'Notified the webhook.'
        : r.notified === 'failed'
          ? 'The webhook failed after its retries: tell the on-call rotation by hand.'
          : 'No webhook configured (REFINERY_WEBHOOK_URL): nobody was notified.',
    );
  lines.push('', `## Findings (${r.findings.length})`, '');
  if (r.findings.length === 0) lines.push('Every signal within its baseline.');
  else {
    lines.push('| prompt | signal | severity | today | baseline | z | samples |', '|---|---|---|---|---|---|---|');
    for (const x of worstFirst(r.findings))
      lines.push(
        `| ${x.name} v${x.version} | ${x.signal} | ${x.severity} | ${value(x)} | ${base(x)} | ${x.z} | ${x.samples} |`,
      );
  }
  lines.push('', `## Open alert queue (${r.unresolvedTotal} unresolved)`, '');
  lines.push(...alertQueueMarkdown(r.queue, r.unresolvedTotal, r.asOf));
  if (r.unresolvedTotal > 0)
    lines.push(
      '',
      'Close each as an action item or a documented false positive: `refinery alerts resolve <id> --as action|false-positive --note "…"`.',
    );
  return lines.join('\n') + '\n';
}
