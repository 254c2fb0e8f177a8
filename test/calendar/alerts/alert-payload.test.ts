import type { AlertRow } from '../../../src/calendar/alerts/alert-store';
import { alertPayload } from '../../../src/calendar/alerts/alert-payload';

const alert = (i: number): AlertRow => ({
  alertId: `al-${String(i).padStart(8, '0')}`,
  dedupeKey: `p${i}@1:error-rate`,
  name: `prompt-${i}`,
  version: 1,
  signal: 'error-rate',
  severity: 'warning',
  status: 'open',
  detail: `error-rate of prompt-${i} v1: 0.0912 against a 30-day baseline of 0.0201 (z = 4.2, 400 samples) and more words`,
  baseline: 0.0201,
  current: 0.0912,
  z: 4.2,
  samples: 400,
  openedAt: '2026-11-22T06:00:00.000Z',
  escalatedAt: null,
  escalationReason: null,
  updatedAt: '2026-11-22T06:00:00.000Z',
  owner: null,
  resolution: null,
  note: null,
  resolvedBy: null,
  resolvedAt: null,
});

type Payload = { text: string; blocks: { type: string; text: { type: string; text: string } }[] };

describe('Slack-compatible alert payload', () => {
  test('a few alerts: text and one mrkdwn section carry all of them', () => {
    const p = alertPayload(
      [alert(1)],
      [{ ...alert(2), severity: 'critical', escalationReason: 'a warning unresolved for 24 h' }],
      '2026-11-22',
    ) as Payload;
    expect(p.text).toContain('2026-11-22: 1 new alert(s), 1 escalated');
    expect(p.text).toContain('*CRITICAL* escalated `al-00000002`');
    expect(p.text).toContain('(a warning unresolved for 24 h)');
    expect(p.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: p.text } }]);
  });

  test('many alerts: the section stays under Slack’s 3,000 characters and says how many more; text keeps all', () => {
    const opened = Array.from({ length: 60 }, (_, i) => alert(i));
    const p = alertPayload(opened, [], '2026-11-22') as Payload;
    const section = p.blocks[0]!.text.text;
    expect(section.length).toBeLessThanOrEqual(3000);
    const shown = (section.match(/`al-\d{8}`/g) ?? []).length;
    expect(shown).toBeGreaterThan(5);
    expect(section).toContain(`…and ${60 - shown} more: \`refinery alerts list\``);
    expect((p.text.match(/`al-\d{8}`/g) ?? []).length).toBe(60);
  });
});
