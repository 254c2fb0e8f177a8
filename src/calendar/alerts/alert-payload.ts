import type { AlertRow } from './alert-store';

const SLACK_SECTION_LIMIT = 3000;

/**
 * A Slack-compatible incoming-webhook payload: `text` for any receiver, `blocks` for Slack. Only names,
 * versions and numbers go in; never run inputs or outputs.
 */
export function alertPayload(opened: AlertRow[], escalated: AlertRow[], reviewOf: string): Record<string, unknown> {
  const line = (a: AlertRow, verb: string) =>
    `• *${a.severity.toUpperCase()}* ${verb} \`${a.alertId}\` ${a.detail}${a.escalationReason ? ` (${a.escalationReason})` : ''}`;
  const lines = [...opened.map((a) => line(a, 'opened')), ...escalated.map((a) => line(a, 'escalated'))];
  const head = `Refinery daily review of ${reviewOf}: ${opened.length} new alert(s), ${escalated.length} escalated.`;
  const tail = 'Close each with `refinery alerts resolve <id> --as action|false-positive --note "…"`.';
  const text = `${head}\n${lines.join('\n')}\n${tail}`;
  // Slack refuses a section text over 3,000 characters: the block shows what fits, `text` keeps them all.
  const shown: string[] = [];
  let size = head.length + tail.length + 80;
  for (const l of lines) {
    if (size + l.length + 1 > SLACK_SECTION_LIMIT) break;
    shown.push(l);
    size += l.length + 1;
  }
  const more = lines.length - shown.length;
  const blockText = [head, ...shown, ...(more > 0 ? [`…and ${more} more: \`refinery alerts list\``] : []), tail].join(
    '\n',
  );
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: blockText } }] };
}
