import type { AlertRow } from './alert-store';

/**
 * A Slack-compatible incoming-webhook payload: `text` for any receiver, `blocks` for Slack. Only names,
 * versions and numbers go in; never run inputs or outputs.
 */
export function alertPayload(opened: AlertRow[], escalated: AlertRow[], reviewOf: string): Record<string, unknown> {
  const line = (a: AlertRow, verb: string) =>
    `• *${a.severity.toUpperCase()}* ${verb} \`${a.alertId}\` ${a.detail}${a.escalationReason ? ` (${a.escalationReason})` : ''}`;
  const lines = [...opened.map((a) => line(a, 'opened')), ...escalated.map((a) => line(a, 'escalated'))];
  const text = `Refinery daily review of ${reviewOf}: ${opened.length} new alert(s), ${escalated.length} escalated.\n${lines.join('\n')}\nClose each with \`refinery alerts resolve <id> --as action|false-positive --note "…"\`.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** POSTs a payload; a failing receiver is reported to the caller (an activity retries it). */
export async function postWebhook(url: string, payload: Record<string, unknown>): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`webhook answered ${res.status}; check REFINERY_WEBHOOK_URL`);
}
