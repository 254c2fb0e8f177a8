import type { AlertRow } from '../../../src/calendar/alerts/alert-store';
import type { DashboardData } from '../../../src/dashboard/data';
import { windowDays } from '../../../src/dashboard/days';
import { decideCommand } from '../../../src/dashboard/decide-command';
import { renderDashboardPage } from '../../../src/dashboard/page';

const alert = (over: Partial<AlertRow>): AlertRow => ({
  alertId: 'al-1',
  dedupeKey: 'k',
  name: 'support-reply',
  version: 3,
  signal: 'error-rate',
  severity: 'warning',
  status: 'open',
  detail: 'error rate up',
  baseline: null,
  current: null,
  z: null,
  samples: null,
  openedAt: '2026-05-03T09:30:00.000Z',
  escalatedAt: null,
  escalationReason: null,
  updatedAt: '2026-05-03T09:30:00.000Z',
  owner: null,
  resolution: null,
  note: null,
  resolvedBy: null,
  resolvedAt: null,
  ...over,
});

function data(over: Partial<DashboardData> = {}): DashboardData {
  return {
    generatedAt: '2026-05-04T10:00:00.000Z',
    days: ['2026-05-02', '2026-05-03', '2026-05-04'],
    workflows: [{ type: 'rollout', runs: [1, 2, 0], errors: [0, 1, 0] }],
    prompts: [{ name: 'support-reply', runs: 10, errors: 2 }],
    skills: [{ name: 'release-notes', recorded: 1, tuneRuns: 2, evalRuns: 0 }],
    skillFiles: [],
    alerts: [],
    tuneRuns: [],
    stalled: [],
    provider: { calls: 2, inputTokens: 1500, outputTokens: 500, costUsd: 0.0123 },
    contribution: [],
    ...over,
  };
}

describe('windowDays', () => {
  test('lists whole UTC days ending today, oldest first, across a month end', () => {
    expect(windowDays(new Date('2026-03-02T23:30:00Z'), 4)).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
  });
});

describe('decideCommand', () => {
  test('names the workflow and every action; quotes an id only when the shell needs it', () => {
    expect(decideCommand('tune-release-notes-1a2b')).toBe(
      'refinery decide tune-release-notes-1a2b --action continue|accept|rollback|cancel --by <name>',
    );
    expect(decideCommand("tune my skill's run")).toBe(
      `refinery decide 'tune my skill'\\''s run' --action continue|accept|rollback|cancel --by <name>`,
    );
  });
});

describe('renderDashboardPage', () => {
  test('is one self-contained page: no scripts, no external URLs, a chart in each data-chart figure', () => {
    const html = renderDashboardPage(data());
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
    for (const name of ['runs', 'errors', 'tune-scores', 'prompt-usage', 'skill-usage'])
      expect(html).toMatch(new RegExp(`<figure data-chart="${name}"><svg `));
    expect(html).toContain(
      '<ul data-list="stalled-runs"></ul><p class="none">No tune run is waiting for a decision.</p>',
    );
    expect(html).toContain('No open alerts.');
    expect(html).toContain('<p class="none" data-list="contribution">No contributions in this window.</p>');
    expect(html).toContain('Last 3 days (2026-05-02 to 2026-05-04, UTC)');
    expect(html).toContain('$0.01');
  });

  test('lists each stalled run with the command that decides it, and escapes everything stored', () => {
    const html = renderDashboardPage(
      data({
        stalled: [
          {
            runId: 'tune-x-1',
            workflowId: 'tune-x-1',
            skills: ['x<y>'],
            status: 'awaiting-decision',
            startedAt: '2026-05-03T08:00:00.000Z',
            startedBy: 'sam',
            scores: [
              { iteration: 1, score: 60 },
              { iteration: 2, score: 64.25 },
            ],
            bestScore: 64.25,
          },
        ],
        alerts: [
          alert({ alertId: 'al-w', detail: '<img src=x onerror=alert(1)> & "more"' }),
          alert({ alertId: 'al-c', severity: 'critical', status: 'acknowledged', owner: 'olga' }),
        ],
      }),
    );
    const stalled = /<ul data-list="stalled-runs">(.*?)<\/ul>/.exec(html)![1]!;
    expect(stalled).toContain('<li data-workflow-id="tune-x-1">');
    const command = /<code class="command">(.*?)<\/code>/.exec(stalled)![1]!;
    expect(command.replace(/<\/?span>/g, '')).toBe(
      'refinery decide tune-x-1 --action continue|accept|rollback|cancel --by &lt;name&gt;',
    );
    expect(stalled).toContain(
      'skills x&lt;y&gt; · started 2026-05-03 08:00 UTC by sam · 2 iterations · best score 64.3',
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;more&quot;');
    expect(html).toContain('acknowledged (olga)');
  });
});

describe('contribution table', () => {
  test('one row per person in the given order, every figure in its column, names escaped', () => {
    const html = renderDashboardPage(
      data({
        contribution: [
          {
            person: 'alice',
            versionsToProduction: 2,
            improvementsShipped: 1,
            casesContributed: 3,
            feedbackResolved: 4,
          },
          {
            person: '<b>bob</b>',
            versionsToProduction: 0,
            improvementsShipped: 0,
            casesContributed: 1,
            feedbackResolved: 0,
          },
        ],
      }),
    );
    const table = /<table data-list="contribution">.*?<tbody>(.*?)<\/tbody>/.exec(html)![1]!;
    expect(table).toBe(
      '<tr><td><strong>alice</strong></td><td>2</td><td>1</td><td>3</td><td>4</td></tr>' +
        '<tr><td><strong>&lt;b&gt;bob&lt;/b&gt;</strong></td><td>0</td><td>0</td><td>1</td><td>0</td></tr>',
    );
  });
});
