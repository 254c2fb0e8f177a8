import type { Queryable } from '../store/db';
import type { MetricFamily, MetricSample } from './prometheus';
import {
  countAlertsBySeverity,
  countWorkflowRuns,
  promptRunTotals,
  providerCallTotals,
  recentTuneScores,
} from './metrics-store';
import { isError, isInProgress } from './workflow-runs';

/** How many of the newest tune runs get a best-score series: enough for a trend, few enough to keep cardinality flat. */
export const RECENT_TUNE_RUNS = 20;

const SEVERITIES = ['warning', 'critical'];
const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'];

const byLabels = (a: MetricSample, b: MetricSample) =>
  JSON.stringify(Object.values(a.labels ?? {})).localeCompare(JSON.stringify(Object.values(b.labels ?? {})));

function family(name: string, type: MetricFamily['type'], help: string, samples: MetricSample[]): MetricFamily {
  return { name, type, help, samples: samples.sort(byLabels) };
}

/**
 * Everything /metrics reports, read from the store at scrape time. Counters are counts of rows that are
 * never deleted, so they only grow (an eval run restarted under its old id is the exception: it moves
 * back to in progress, which Prometheus reads as a counter reset). Each scrape runs a handful of grouped
 * counts (prompt_runs is grouped through its (name, version) index); scrape every 30 s or more on a
 * large store.
 */
export async function collectMetrics(db: Queryable): Promise<MetricFamily[]> {
  return [
    ...(await workflowRunMetrics(db)),
    await alertMetrics(db),
    await tuneScoreMetrics(db),
    ...(await providerMetrics(db)),
    ...(await promptRunMetrics(db)),
  ];
}

async function workflowRunMetrics(db: Queryable): Promise<MetricFamily[]> {
  const rows = await countWorkflowRuns(db);
  const started = new Map<string, number>();
  const errors = new Map<string, number>();
  const finished: MetricSample[] = [];
  const inProgress: MetricSample[] = [];
  for (const r of rows) {
    const n = Number(r.n);
    started.set(r.type, (started.get(r.type) ?? 0) + n);
    errors.set(r.type, (errors.get(r.type) ?? 0) + (isError(r.status) ? n : 0));
    (isInProgress(r.status) ? inProgress : finished).push({ labels: { type: r.type, status: r.status }, value: n });
  }
  const perType = (m: Map<string, number>) => [...m].map(([type, value]) => ({ labels: { type }, value }));
  // Started and finished are counters; runs in progress move between statuses, so they are a gauge.
  return [
    family(
      'refinery_workflow_runs_started_total',
      'counter',
      'Workflow runs started, by workflow type.',
      perType(started),
    ),
    family(
      'refinery_workflow_runs_finished_total',
      'counter',
      'Workflow runs finished, by workflow type and final status.',
      finished,
    ),
    family(
      'refinery_workflow_runs_in_progress',
      'gauge',
      'Workflow runs not finished yet, by workflow type and status (awaiting-decision: a stalled tune run).',
      inProgress,
    ),
    family(
      'refinery_workflow_run_errors_total',
      'counter',
      'Workflow runs that failed, or rollouts that were rolled back, by workflow type.',
      perType(errors),
    ),
  ];
}

async function alertMetrics(db: Queryable): Promise<MetricFamily> {
  const rows = await countAlertsBySeverity(db);
  // Every known combination is written, zero included: an alerting rule on `refinery_alerts > 0` needs a
  // series that exists before the first alert does.
  const key = (severity: string, status: string) => `${severity} ${status}`;
  const counts = new Map(rows.map((r) => [key(r.severity, r.status), Number(r.n)]));
  const combinations = new Map<string, { severity: string; status: string }>();
  for (const severity of SEVERITIES)
    for (const status of ALERT_STATUSES) combinations.set(key(severity, status), { severity, status });
  for (const r of rows) combinations.set(key(r.severity, r.status), { severity: r.severity, status: r.status });
  return family(
    'refinery_alerts',
    'gauge',
    'Quality alerts by severity and status (open, acknowledged, resolved).',
    [...combinations].map(([k, labels]) => ({ labels, value: counts.get(k) ?? 0 })),
  );
}

async function tuneScoreMetrics(db: Queryable): Promise<MetricFamily> {
  const rows = await recentTuneScores(db, RECENT_TUNE_RUNS);
  const samples: MetricSample[] = [];
  for (const r of rows) {
    // A run still going has no best_score yet: its best iteration so far stands in.
    const score = r.best_score ?? r.best_iteration;
    if (score === null) continue;
    // One series per skill, each carrying the run's score, so `{skill="x"}` finds chain runs too.
    for (const skill of JSON.parse(r.skills) as string[])
      samples.push({ labels: { run_id: r.run_id, skill }, value: Number(score) });
  }
  return family(
    'refinery_tune_best_score',
    'gauge',
    `Best score of each of the ${RECENT_TUNE_RUNS} newest tune runs (so far, for runs still going), per tuned skill.`,
    samples,
  );
}

async function providerMetrics(db: Queryable): Promise<MetricFamily[]> {
  const rows = await providerCallTotals(db);
  const labels = (r: { provider: string; model: string }) => ({ provider: r.provider, model: r.model });
  return [
    family(
      'refinery_provider_calls_total',
      'counter',
      'Model calls made by tune and eval runs, by provider and model.',
      rows.map((r) => ({ labels: labels(r), value: Number(r.calls) })),
    ),
    family(
      'refinery_provider_tokens_total',
      'counter',
      'Tokens sent to (input) and received from (output) model providers, by provider and model.',
      rows.flatMap((r) => [
        { labels: { ...labels(r), direction: 'input' }, value: Number(r.input) },
        { labels: { ...labels(r), direction: 'output' }, value: Number(r.output) },
      ]),
    ),
    family(
      'refinery_provider_cost_usd_total',
      'counter',
      'Cost of model calls in US dollars at the configured prices, by provider and model.',
      rows.map((r) => ({ labels: labels(r), value: Number(r.cost) })),
    ),
  ];
}

async function promptRunMetrics(db: Queryable): Promise<MetricFamily[]> {
  const rows = await promptRunTotals(db);
  return [
    family(
      'refinery_prompt_runs_total',
      'counter',
      'Runs of each prompt or skill that applications recorded (POST /v1/runs).',
      rows.map((r) => ({ labels: { name: r.name }, value: Number(r.runs) })),
    ),
    family(
      'refinery_prompt_run_errors_total',
      'counter',
      'Recorded runs of each prompt or skill that reported an error.',
      rows.map((r) => ({ labels: { name: r.name }, value: Number(r.errors) })),
    ),
    family(
      'refinery_prompt_run_tokens_total',
      'counter',
      'Tokens that recorded runs reported, by prompt or skill and direction (input, output).',
      rows.flatMap((r) => [
        { labels: { name: r.name, direction: 'input' }, value: Number(r.input ?? 0) },
        { labels: { name: r.name, direction: 'output' }, value: Number(r.output ?? 0) },
      ]),
    ),
  ];
}
