import type { AlertRow } from '../calendar/alerts/alert-store';
import type { Contribution } from '../library/contribution';
import { CHART_CSS, compactNumber, lineChart, stackedBarChart, stackedColumnChart } from './charts';
import type { DashboardData, TuneRunSummary } from './data';
import { decideCommand } from './decide-command';
import { escapeHtml as h } from './escape';

/**
 * The dashboard as one self-contained HTML page: inline CSS and SVG, no scripts, no external assets, so
 * it works offline and under a content security policy that forbids everything else. Every value from
 * the store is escaped. Charts sit in `[data-chart=name]`, lists in `[data-list=name]` (tests find them).
 */
export const WINDOW_CHOICES = [7, 30, 90];

const time = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
const shortDay = (day: string) => day.slice(5);
const score = (n: number | null) => (n === null ? '—' : String(+n.toFixed(1)));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function renderDashboardPage(data: DashboardData): string {
  const days = data.days.length;
  const runs = sum(data.workflows.flatMap((w) => w.runs));
  const errors = sum(data.workflows.flatMap((w) => w.errors));
  const critical = data.alerts.filter((a) => a.severity === 'critical').length;
  const tokens = data.provider.inputTokens + data.provider.outputTokens;
  const windowLinks = WINDOW_CHOICES.map((d) =>
    d === days ? `<strong>${d} days</strong>` : `<a href="?days=${d}">${d} days</a>`,
  ).join(' · ');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Refinery dashboard</title>
<style>${PAGE_CSS}${CHART_CSS}</style>
</head>
<body>
<header>
  <h1>Refinery</h1>
  <p class="muted">Last ${days} days (${h(data.days[0] ?? '')} to ${h(data.days[days - 1] ?? '')}, UTC) · generated ${h(time(data.generatedAt))} · ${windowLinks}</p>
</header>
<section class="tiles">
  ${tile('Workflow runs', compactNumber(runs), `${data.workflows.length} workflow type${data.workflows.length === 1 ? '' : 's'}`)}
  ${tile('Errors', compactNumber(errors), runs ? `${+((errors / runs) * 100).toFixed(1)}% of runs` : 'no runs', errors > 0 ? 'bad' : '')}
  ${tile('Open alerts', String(data.alerts.length), `${critical} critical`, critical > 0 ? 'bad' : data.alerts.length ? 'warn' : '')}
  ${tile('Awaiting a decision', String(data.stalled.length), 'stalled tune runs', data.stalled.length ? 'warn' : '')}
  ${tile('Model tokens', compactNumber(tokens), `${compactNumber(data.provider.calls)} calls`)}
  ${tile('Model cost', `$${data.provider.costUsd.toFixed(2)}`, 'tune and eval runs')}
</section>
<main>
  ${card('runs', 'Workflow runs per day', 'Runs started each day, by workflow type.', runsChart(data))}
  ${card('errors', 'Errors per day', 'Runs that failed, and rollouts rolled back, by workflow type.', errorsChart(data))}
  ${card('prompt-usage', 'Prompt usage', 'Runs applications recorded per prompt (POST /v1/runs).', promptChart(data))}
  ${card('skill-usage', 'Skill usage', 'Recorded runs, tune runs and eval runs per skill.', skillChart(data))}
  ${card('tune-scores', 'Tune score progression', `Score per iteration of the ${data.tuneRuns.length} newest tune runs.`, tuneChart(data))}
  <section class="card wide" id="skill-files">
    <h2>Skill files read by agents</h2>
    <p class="muted">Agent runs load SKILL.md and open a skill's other files only when a task needs them. A file no run reads is a candidate for merging or removal.</p>
    ${skillFileTable(data.skillFiles)}
  </section>
  <section class="card" id="stalled">
    <h2>Awaiting a decision</h2>
    <p class="muted">Tune runs that stalled and wait for a human. Pick one action and run the command.</p>
    ${stalledList(data.stalled)}
  </section>
  <section class="card wide" id="alerts">
    <h2>Open alerts</h2>
    <p class="muted">Unresolved quality alerts, Critical first. <code>refinery alerts ack &lt;id&gt;</code> takes one on.</p>
    ${alertTable(data.alerts)}
  </section>
  <section class="card wide" id="contribution">
    <h2>Contribution</h2>
    <p class="muted">Per person, what reached production in this window: versions they authored, improvement runs they started, review cases they accepted, and the feedback on those cases once a newer version shipped. <code>refinery library contributors</code> shows the same.</p>
    ${contributionTable(data.contribution)}
  </section>
</main>
</body>
</html>
`;
}

function tile(label: string, value: string, note: string, tone = ''): string {
  return `<div class="tile ${tone}"><div class="label">${h(label)}</div><div class="value">${h(value)}</div><div class="muted">${h(note)}</div></div>`;
}

function card(name: string, title: string, note: string, chart: string): string {
  return `<section class="card"><h2>${h(title)}</h2><p class="muted">${h(note)}</p><figure data-chart="${h(name)}">${chart}</figure></section>`;
}

function runsChart(d: DashboardData): string {
  return stackedColumnChart(
    d.days.map(shortDay),
    d.workflows.map((w) => ({ name: w.type, values: w.runs })),
    { title: 'Workflow runs per day', empty: 'No workflow runs in this window', integer: true },
  );
}

function errorsChart(d: DashboardData): string {
  return stackedColumnChart(
    d.days.map(shortDay),
    d.workflows.filter((w) => sum(w.errors) > 0).map((w) => ({ name: w.type, values: w.errors })),
    { title: 'Errors per day', empty: 'No errors in this window', integer: true },
  );
}

function tuneChart(d: DashboardData): string {
  const runs = [...d.tuneRuns].reverse(); // oldest first: colours follow the order runs started
  const last = Math.max(0, ...runs.flatMap((r) => r.scores.map((s) => s.iteration)));
  const iterations = Array.from({ length: last }, (_, i) => i + 1);
  return lineChart(
    iterations.map(String),
    runs.map((r) => ({
      name: r.runId,
      values: iterations.map((it) => r.scores.find((s) => s.iteration === it)?.score ?? null),
    })),
    { title: 'Tune score per iteration', empty: 'No tune iterations in this window', format: score },
  );
}

function promptChart(d: DashboardData): string {
  return stackedBarChart(
    d.prompts.map((p) => p.name),
    [
      { name: 'succeeded', values: d.prompts.map((p) => p.runs - p.errors) },
      { name: 'errors', values: d.prompts.map((p) => p.errors) },
    ],
    { title: 'Recorded runs per prompt', empty: 'No prompt runs recorded in this window', integer: true },
  );
}

function skillChart(d: DashboardData): string {
  return stackedBarChart(
    d.skills.map((s) => s.name),
    [
      { name: 'recorded runs', values: d.skills.map((s) => s.recorded) },
      { name: 'tune runs', values: d.skills.map((s) => s.tuneRuns) },
      { name: 'eval runs', values: d.skills.map((s) => s.evalRuns) },
    ],
    { title: 'Usage per skill', empty: 'No skill was used in this window', integer: true },
  );
}

function stalledList(runs: TuneRunSummary[]): string {
  const items = runs.map((r) => {
    const facts = [
      `skills ${r.skills.join(', ')}`,
      `started ${time(r.startedAt)} by ${r.startedBy}`,
      `${r.scores.length} iteration${r.scores.length === 1 ? '' : 's'}`,
      `best score ${score(r.bestScore)}`,
    ];
    return `<li data-workflow-id="${h(r.workflowId)}"><div><strong>${h(r.workflowId)}</strong> <span class="muted">${h(facts.join(' · '))}</span></div><code class="command">${nowrapWords(decideCommand(r.workflowId))}</code></li>`;
  });
  return `<ul data-list="stalled-runs">${items.join('')}</ul>${runs.length ? '' : '<p class="none">No tune run is waiting for a decision.</p>'}`;
}

/** Lines break only between words: a break inside `--by` would look like a different option. */
function nowrapWords(command: string): string {
  return command
    .split(' ')
    .map((word) => `<span>${h(word)}</span>`)
    .join(' ');
}

function skillFileTable(skills: DashboardData['skillFiles']): string {
  if (skills.length === 0) return '<p class="none" data-list="skill-files">No agent run of a skill recorded yet.</p>';
  const rows = skills.flatMap((s) => [
    ...s.files.map(
      (f) =>
        `<tr><td><strong>${h(s.name)}</strong></td><td><code>${h(f.path)}</code></td><td>${f.runs} of ${s.agentRuns} runs</td></tr>`,
    ),
    ...s.unread.map(
      (p) =>
        `<tr class="unread"><td><strong>${h(s.name)}</strong></td><td><code>${h(p)}</code></td><td><span class="badge warn">never read</span> in ${s.agentRuns} runs</td></tr>`,
    ),
  ]);
  return `<table data-list="skill-files"><thead><tr><th>Skill</th><th>File</th><th>Read in</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function alertTable(alerts: AlertRow[]): string {
  if (alerts.length === 0) return '<p class="none" data-list="open-alerts">No open alerts.</p>';
  const rows = alerts.map(
    (a) =>
      `<tr><td><span class="badge ${a.severity === 'critical' ? 'bad' : 'warn'}">${h(a.severity)}</span></td>` +
      `<td><strong>${h(a.name)}</strong> v${a.version}</td><td>${h(a.signal)}</td><td>${h(a.detail)}</td>` +
      `<td>${h(time(a.openedAt))}</td><td>${h(a.status)}${a.owner ? ` (${h(a.owner)})` : ''}</td><td><code>${h(a.alertId)}</code></td></tr>`,
  );
  return `<table data-list="open-alerts"><thead><tr><th>Severity</th><th>Prompt</th><th>Signal</th><th>Detail</th><th>Opened</th><th>Status</th><th>Id</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function contributionTable(people: Contribution[]): string {
  if (people.length === 0) return '<p class="none" data-list="contribution">No contributions in this window.</p>';
  const rows = people.map(
    (c) =>
      `<tr><td><strong>${h(c.person)}</strong></td><td>${c.versionsToProduction}</td><td>${c.improvementsShipped}</td>` +
      `<td>${c.casesContributed}</td><td>${c.feedbackResolved}</td></tr>`,
  );
  return `<table data-list="contribution"><thead><tr><th>Person</th><th>Versions to production</th><th>Improvements shipped</th><th>Cases contributed</th><th>Feedback resolved</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const PAGE_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; background: #f3f4f6; color: #111827; font: 14px/1.45 system-ui, sans-serif; }
header h1 { margin: 0; font-size: 24px; }
h2 { margin: 0 0 2px; font-size: 16px; }
.muted { color: #6b7280; margin: 0 0 10px; }
a { color: #0072b2; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 16px 0; }
.tile { background: #fff; border: 1px solid #e5e7eb; border-left: 4px solid #0072b2; border-radius: 8px; padding: 10px 14px; }
.tile .label { color: #4b5563; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.tile .value { font-size: 26px; font-weight: 650; }
.tile .muted { margin: 0; font-size: 12px; }
.tile.bad { border-left-color: #c2410c; } .tile.bad .value { color: #c2410c; }
.tile.warn { border-left-color: #e69f00; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(520px, 100%), 1fr)); gap: 16px; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 14px 16px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
figure { margin: 0; }
ul[data-list] { list-style: none; margin: 0; padding: 0; }
ul[data-list] li { padding: 10px 0; border-top: 1px solid #e5e7eb; }
ul[data-list] li:first-child { border-top: 0; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; }
code.command { display: block; margin-top: 6px; padding: 8px 10px; background: #111827; color: #f9fafb; border-radius: 6px; user-select: all; overflow-x: auto; }
code.command span { white-space: nowrap; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 6px 8px; border-top: 1px solid #e5e7eb; vertical-align: top; }
th { color: #4b5563; font-size: 12px; font-weight: 600; border-top: 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.badge.bad { background: #fee2e2; color: #991b1b; } .badge.warn { background: #fef3c7; color: #92400e; }
.none { color: #6b7280; font-style: italic; margin: 4px 0; }
`;
