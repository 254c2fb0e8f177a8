import type { Severity } from './alert-rules';

/**
 * The unresolved-alert queue as both reports print it (reference 001: "Review open alert queue"): who
 * holds each alert and how long it has waited. Pure, so the reports are tested without a store.
 */
export interface QueuedAlert {
  alertId: string;
  name: string;
  version: number;
  signal: string;
  severity: Severity;
  status: 'open' | 'acknowledged';
  openedAt: string;
  /** Whoever acknowledged it; null while nobody has. */
  owner: string | null;
  /** The library item's owner: who should pick it up while nobody has. */
  promptOwner: string | null;
}

/** "3 d 4 h", "5 h", "under 1 h": the age of an alert at the report's as-of time. */
export function formatAge(ms: number): string {
  const hours = Math.floor(Math.max(0, ms) / 3_600_000);
  if (hours < 1) return 'under 1 h';
  const days = Math.floor(hours / 24);
  return days === 0 ? `${hours} h` : `${days} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** A report prints at most this many alerts; the CLI lists the rest, so a backlog cannot bloat a report. */
export const QUEUE_ROWS = 100;

/** Markdown table of the queue, oldest first; `total` is the full count when the list was cut. */
export function alertQueueMarkdown(queue: QueuedAlert[], total: number, asOf: string): string[] {
  if (total === 0) return ['No unresolved alerts.'];
  const now = Date.parse(asOf);
  const rows = [...queue]
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.alertId.localeCompare(b.alertId))
    .slice(0, QUEUE_ROWS)
    .map(
      (a) =>
        `| \`${a.alertId}\` | ${a.name} v${a.version} | ${a.signal} | ${a.severity} | ${a.status} | ${formatAge(now - Date.parse(a.openedAt))} | ${a.owner ?? `unassigned (prompt owner: ${a.promptOwner ?? 'unknown'})`} |`,
    );
  const lines = [
    '| alert | prompt | signal | severity | status | age | owner |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ];
  if (total > rows.length) lines.push('', `…and ${total - rows.length} more: \`refinery alerts list\` shows them all.`);
  return lines;
}
