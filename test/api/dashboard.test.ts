import { loadDashboardData, type DashboardData } from '../../src/dashboard/data';
import { SEEDED, dayAt, seedDashboardStore } from '../support/dashboard-seed';
import { describeEachStore } from '../support/store-backends';
import { apiHarness, type ApiHarness } from './api-harness';

describeEachStore('the dashboard', (backend) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness(() => backend.open());
    await seedDashboardStore(h.db);
  });
  afterAll(() => h.close());

  describe('its data, gathered from the store per UTC day', () => {
    let data: DashboardData;
    const now = new Date();
    beforeAll(async () => {
      data = await loadDashboardData(h.db, { now, days: 30 });
    });
    const dayIndex = (daysAgo: number) => data.days.indexOf(dayAt(now, daysAgo).slice(0, 10));

    test('runs and errors per workflow type land on the days they started', () => {
      expect(data.days).toHaveLength(30);
      expect(data.days[29]).toBe(now.toISOString().slice(0, 10));
      expect(data.workflows.map((w) => w.type)).toEqual([
        'ab-test',
        'calendar-daily',
        'calendar-weekly',
        'eval',
        'rollout',
        'tune',
      ]);
      const of = (type: string) => data.workflows.find((w) => w.type === type)!;
      const tune = of('tune');
      for (const t of Object.values(SEEDED.tuneRuns)) expect(tune.runs[dayIndex(t.daysAgo)]).toBe(1);
      expect(tune.runs.reduce((a, b) => a + b)).toBe(5);
      const rollout = of('rollout');
      expect(rollout.errors[dayIndex(3)]).toBe(1);
      expect(rollout.errors[dayIndex(1)]).toBe(1);
      expect(rollout.errors.reduce((a, b) => a + b)).toBe(2);
      expect(of('eval').errors.reduce((a, b) => a + b)).toBe(0);
    });

    test('prompt usage counts recorded runs of prompts; skill usage adds tune and eval runs', () => {
      // release-notes is a skill in the library, so it is counted under skills only.
      expect(data.prompts).toEqual([
        { name: 'support-reply', runs: 12, errors: 3 },
        { name: 'ticket-summary', runs: 5, errors: 1 },
      ]);
      expect(data.skills).toEqual([
        { name: 'release-notes', recorded: 4, tuneRuns: 4, evalRuns: 1 },
        { name: 'triage', recorded: 0, tuneRuns: 2, evalRuns: 0 },
      ]);
    });

    test('open alerts, Critical first; resolved ones left out', () => {
      expect(data.alerts.map((a) => [a.severity, a.status, a.name])).toEqual([
        ['critical', 'open', 'ticket-summary'],
        ['warning', 'acknowledged', 'ticket-summary'],
        ['warning', 'open', 'support-reply'],
      ]);
    });

    test('tune runs with their scores per iteration, and the stalled one awaiting a decision', () => {
      expect(data.tuneRuns.map((r) => r.runId)).toEqual([
        'tune-triage-d4',
        'tune-release-notes-c3',
        'tune-release-notes+triage-e5',
        'tune-release-notes-b2',
        'tune-release-notes-a1',
      ]);
      const a1 = data.tuneRuns.find((r) => r.runId === 'tune-release-notes-a1')!;
      expect(a1.scores.map((s) => s.score)).toEqual([62, 70, 78, 84]);
      expect(a1.bestScore).toBe(84);
      expect(data.stalled).toHaveLength(1);
      expect(data.stalled[0]).toMatchObject({
        workflowId: SEEDED.stalledWorkflowId,
        status: 'awaiting-decision',
        skills: ['release-notes'],
        bestScore: 65,
        scores: [
          { iteration: 1, score: 60 },
          { iteration: 2, score: 64 },
          { iteration: 3, score: null },
          { iteration: 4, score: 65 },
        ],
      });
    });

    test('provider calls, tokens and cost over the window; a shorter window leaves older days out', async () => {
      expect(data.provider.calls).toBe(3);
      expect(data.provider.inputTokens).toBe(2500);
      expect(data.provider.outputTokens).toBe(600);
      expect(data.provider.costUsd).toBeCloseTo(0.0137, 10);
      const recent = await loadDashboardData(h.db, { now, days: 2 });
      expect(recent.days).toHaveLength(2);
      expect(recent.provider.calls).toBe(1); // only the call one day ago
      expect(recent.tuneRuns.map((r) => r.runId)).toEqual(['tune-triage-d4']);
      // A stalled run stays listed however long ago it started (this one: two days ago).
      expect(recent.stalled.map((r) => r.workflowId)).toEqual([SEEDED.stalledWorkflowId]);
    });
  });

  describe('GET /dashboard', () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${h.api.url}${path}`, { headers, redirect: 'manual' });

    test('?token= moves the token into an HttpOnly cookie and redirects to the bare page', async () => {
      const res = await get(`/dashboard?days=7&token=${h.tokens.reader}`);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/dashboard?days=7');
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toContain(`refinery_dashboard=${h.tokens.reader}`);
      for (const attribute of ['Path=/dashboard', 'HttpOnly', 'SameSite=Lax', 'Max-Age=43200'])
        expect(cookie).toContain(attribute);
      // The harness's public URL is https, so the cookie is only sent over https.
      expect(cookie).toContain('Secure');
    });

    test('the cookie opens the page: a strict content security policy, every chart, the stalled run', async () => {
      const res = await get('/dashboard', { cookie: `other=1; refinery_dashboard=${h.tokens.reader}` });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const html = await res.text();
      for (const name of ['runs', 'errors', 'tune-scores', 'prompt-usage', 'skill-usage'])
        expect(html).toMatch(new RegExp(`data-chart="${name}"><svg [^>]*>.*<g data-series=`));
      expect(html.replace(/<\/?span>/g, '')).toContain(
        `refinery decide ${SEEDED.stalledWorkflowId} --action continue|accept|rollback|cancel --by &lt;name&gt;`,
      );
      expect(html).toContain('error rate 9% vs &lt;b&gt;2%&lt;/b&gt; baseline &amp; &quot;rising&quot;');
      expect(html).not.toContain('<b>2%</b>');
    });

    test('a bearer header works too; no token, a wrong one, or a bad window is refused', async () => {
      expect((await get('/dashboard', { authorization: `Bearer ${h.tokens.reader}` })).status).toBe(200);
      const none = await get('/dashboard');
      expect(none.status).toBe(401);
      expect(((await none.json()) as any).detail).toContain('open /dashboard?token=<token> once');
      const wrongCookie = await get('/dashboard', { cookie: 'refinery_dashboard=rfy_wrong' });
      expect(wrongCookie.status).toBe(401);
      // An empty ?token= with a good cookie: the cookie gets in and is kept, not overwritten.
      const empty = await get('/dashboard?token=', { cookie: `refinery_dashboard=${h.tokens.reader}` });
      expect(empty.status).toBe(303);
      expect(empty.headers.get('set-cookie')).toBeNull();
      const wrongQuery = await get('/dashboard?token=rfy_wrong');
      expect(wrongQuery.status).toBe(401);
      expect(wrongQuery.headers.get('set-cookie')).toBeNull();
      const badDays = await get('/dashboard?days=0', { cookie: `refinery_dashboard=${h.tokens.reader}` });
      expect(badDays.status).toBe(400);
      expect(((await badDays.json()) as any).field).toBe('days');
    });

    test('the cookie and ?token= open nothing but the dashboard', async () => {
      const cookie = `refinery_dashboard=${h.tokens.admin}`;
      expect((await get('/v1/library', { cookie })).status).toBe(401);
      expect((await get(`/v1/library?token=${h.tokens.admin}`)).status).toBe(401);
      const write = await fetch(`${h.api.url}/v1/library`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'sneaky', kind: 'prompt' }),
      });
      expect(write.status).toBe(401);
      expect(await h.db.get("SELECT name FROM library_items WHERE name = 'sneaky'")).toBeUndefined();
    });
  });
});
