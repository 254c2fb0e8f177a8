import { SEEDED, seedDashboardStore } from '../support/dashboard-seed';
import { describeEachStore } from '../support/store-backends';
import { apiHarness, type ApiHarness } from './api-harness';

interface Scrape {
  /** Value per series, keyed like `name{a="x",b="y"}` with labels sorted. */
  values: Map<string, number>;
  types: Map<string, string>;
  helps: Set<string>;
}

/** Reads the exposition back the way a scraper would: every sample must belong to a described family. */
function parseExposition(text: string): Scrape {
  const scrape: Scrape = { values: new Map(), types: new Map(), helps: new Set() };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP (\S+) .+$/.exec(line);
    const type = /^# TYPE (\S+) (counter|gauge)$/.exec(line);
    if (help) scrape.helps.add(help[1]!);
    else if (type) scrape.types.set(type[1]!, type[2]!);
    else {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not an exposition line: ${line}`);
      const [, name, labelText, value] = m;
      if (!scrape.types.has(name!) || !scrape.helps.has(name!)) throw new Error(`${name} has no HELP or TYPE`);
      const labels = [...(labelText ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)]
        .map(([, k, v]) => `${k}="${v}"`)
        .sort();
      scrape.values.set(`${name}{${labels.join(',')}}`, Number(value));
    }
  }
  return scrape;
}

const series = (name: string, labels: Record<string, string> = {}) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',')}}`;

describeEachStore('GET /metrics', (backend) => {
  let h: ApiHarness;
  let scrape: Scrape;
  beforeAll(async () => {
    h = await apiHarness(() => backend.open());
    await seedDashboardStore(h.db);
    const res = await fetch(`${h.api.url}/metrics`, { headers: { authorization: `Bearer ${h.tokens.reader}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    scrape = parseExposition(await res.text());
  });
  afterAll(() => h.close());

  const value = (name: string, labels?: Record<string, string>) => scrape.values.get(series(name, labels));

  test('counts workflow runs per type: started, finished by final status, in progress, and errors', () => {
    const started = { tune: 5, eval: 3, rollout: 4, 'ab-test': 1, 'calendar-daily': 2, 'calendar-weekly': 1 };
    for (const [type, n] of Object.entries(started))
      expect([type, value('refinery_workflow_runs_started_total', { type })]).toEqual([type, n]);
    expect(value('refinery_workflow_runs_finished_total', { type: 'tune', status: 'completed' })).toBe(3);
    expect(value('refinery_workflow_runs_finished_total', { type: 'eval', status: 'budget-stopped' })).toBe(1);
    expect(value('refinery_workflow_runs_finished_total', { type: 'rollout', status: 'rolled-back' })).toBe(2);
    expect(value('refinery_workflow_runs_finished_total', { type: 'rollout', status: 'promoted' })).toBe(1);
    expect(value('refinery_workflow_runs_finished_total', { type: 'calendar-daily', status: 'completed' })).toBe(2);
    // Runs still going are a gauge, never counted as finished.
    expect(value('refinery_workflow_runs_in_progress', { type: 'tune', status: 'awaiting-decision' })).toBe(1);
    expect(value('refinery_workflow_runs_in_progress', { type: 'tune', status: 'running' })).toBe(1);
    expect(value('refinery_workflow_runs_in_progress', { type: 'rollout', status: 'running' })).toBe(1);
    expect(value('refinery_workflow_runs_finished_total', { type: 'tune', status: 'running' })).toBeUndefined();
    expect(value('refinery_workflow_run_errors_total', { type: 'rollout' })).toBe(2);
    expect(value('refinery_workflow_run_errors_total', { type: 'tune' })).toBe(0);
    expect(scrape.types.get('refinery_workflow_runs_started_total')).toBe('counter');
    expect(scrape.types.get('refinery_workflow_runs_in_progress')).toBe('gauge');
  });

  test('a tune that ended because its error budget was spent counts as a failed run', async () => {
    const row = await h.db.get<{ run_id: string }>(
      "SELECT run_id FROM tune_runs WHERE status = 'completed' ORDER BY run_id LIMIT 1",
    );
    await h.db.run("UPDATE tune_runs SET termination = 'error-budget' WHERE run_id = ?", [row!.run_id]);
    try {
      const res = await fetch(`${h.api.url}/metrics`, { headers: { authorization: `Bearer ${h.tokens.reader}` } });
      const again = parseExposition(await res.text());
      const at = (name: string, labels: Record<string, string>) => again.values.get(series(name, labels));
      expect(at('refinery_workflow_run_errors_total', { type: 'tune' })).toBe(1);
      expect(at('refinery_workflow_runs_finished_total', { type: 'tune', status: 'failed' })).toBe(1);
      expect(at('refinery_workflow_runs_finished_total', { type: 'tune', status: 'completed' })).toBe(2);
    } finally {
      await h.db.run("UPDATE tune_runs SET termination = 'threshold-met' WHERE run_id = ?", [row!.run_id]);
    }
  });

  test('alerts by severity and status, with zeros for the combinations not present', () => {
    expect(value('refinery_alerts', { severity: 'warning', status: 'open' })).toBe(1);
    expect(value('refinery_alerts', { severity: 'critical', status: 'open' })).toBe(1);
    expect(value('refinery_alerts', { severity: 'warning', status: 'acknowledged' })).toBe(1);
    expect(value('refinery_alerts', { severity: 'warning', status: 'resolved' })).toBe(1);
    expect(value('refinery_alerts', { severity: 'critical', status: 'resolved' })).toBe(0);
  });

  test('best tune score per run and skill: the final best, or the best iteration so far for runs still going', () => {
    const best = (run_id: string, skill: string) => value('refinery_tune_best_score', { run_id, skill });
    expect(best('tune-release-notes-a1', 'release-notes')).toBe(84);
    expect(best('tune-release-notes-b2', 'release-notes')).toBe(71);
    expect(best('tune-release-notes+triage-e5', 'release-notes')).toBe(77);
    expect(best('tune-release-notes+triage-e5', 'triage')).toBe(77);
    expect(best(SEEDED.stalledWorkflowId, 'release-notes')).toBe(65);
    expect(best('tune-triage-d4', 'triage')).toBe(58);
  });

  test('provider calls, tokens per direction and cost per provider and model', () => {
    const sonnet = { provider: 'anthropic', model: 'claude-sonnet' };
    expect(value('refinery_provider_calls_total', sonnet)).toBe(2);
    expect(value('refinery_provider_tokens_total', { ...sonnet, direction: 'input' })).toBe(2000);
    expect(value('refinery_provider_tokens_total', { ...sonnet, direction: 'output' })).toBe(500);
    expect(value('refinery_provider_cost_usd_total', sonnet)).toBeCloseTo(0.0135, 10);
    expect(value('refinery_provider_cost_usd_total', { provider: 'gemini', model: 'gemini-flash' })).toBeCloseTo(
      0.0002,
      10,
    );
  });

  test('recorded prompt runs, their errors and tokens per name', () => {
    for (const [name, [runs, errors]] of Object.entries(SEEDED.promptRuns)) {
      expect([name, value('refinery_prompt_runs_total', { name })]).toEqual([name, runs]);
      expect([name, value('refinery_prompt_run_errors_total', { name })]).toEqual([name, errors]);
      expect(value('refinery_prompt_run_tokens_total', { name, direction: 'output' })).toBe(runs * 40);
    }
  });

  test('needs a reader token in the bearer header: the dashboard cookie and ?token= do not open it', async () => {
    const none = await h.call('GET', '/metrics', undefined);
    expect(none.status).toBe(401);
    const byCookie = await fetch(`${h.api.url}/metrics`, {
      headers: { cookie: `refinery_dashboard=${h.tokens.reader}` },
    });
    expect(byCookie.status).toBe(401);
    const byQuery = await fetch(`${h.api.url}/metrics?token=${h.tokens.reader}`);
    expect(byQuery.status).toBe(401);
    const wrong = await h.call('GET', '/metrics', 'rfy_not-a-token');
    expect(wrong.status).toBe(401);
  });
});
