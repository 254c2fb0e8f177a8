import { createToken } from '../../src/library/tokens';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { ADMIN, apiHarness, type ApiHarness } from './api-harness';

/** Run and feedback timestamps on the API: the window for writers, the admin import for older data. */
describe('bounded history writes', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(() => h.close());

  let n = 0;
  const id = () => `rec-${Date.now()}-${++n}`;
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const HOUR = 3_600_000;

  const run = (at?: string) => ({ id: id(), name: 'greeting', version: 1, ...(at ? { at } : {}) });
  const fb = (at?: string) => ({ id: id(), name: 'greeting', version: 1, thumbs: 'up', ...(at ? { at } : {}) });
  const stored = async (table: 'prompt_runs' | 'feedback', ids: string[]) =>
    Number(
      (
        await h.db.get<{ n: number }>(
          `SELECT COUNT(*) AS n FROM ${table} WHERE id IN (${ids.map(() => '?').join(', ')})`,
          ids,
        )
      )?.n,
    );

  test.each([
    ['runs', run],
    ['feedback', fb],
  ] as const)('%s: recent times are taken, with and without a timestamp', async (kind, make) => {
    const items = [make(), make(ago(23 * HOUR)), make(new Date(Date.now() + 60_000).toISOString())];
    const res = await h.call('POST', `/v1/${kind}`, h.tokens.writer, { [kind]: items });
    expect(res.status).toBe(202);
    expect(
      await stored(
        kind === 'runs' ? 'prompt_runs' : 'feedback',
        items.map((i) => i.id),
      ),
    ).toBe(3);
  });

  test.each([
    [
      'runs',
      'past',
      run,
      ago(25 * HOUR),
      /more than 24 hours in the past.*POST \/v1\/admin\/import\/runs \(admin role\)/,
    ],
    ['runs', 'future', run, new Date(Date.now() + 10 * 60_000).toISOString(), /more than 5 minutes ahead/],
    [
      'feedback',
      'past',
      fb,
      ago(30 * 24 * HOUR),
      /more than 24 hours in the past.*POST \/v1\/admin\/import\/feedback \(admin role\)/,
    ],
    ['feedback', 'future', fb, new Date(Date.now() + 24 * HOUR).toISOString(), /more than 5 minutes ahead/],
  ] as const)(
    '%s: a time too far in the %s is refused with problem+json naming the field, bound and fix; nothing is stored',
    async (kind, _when, make, at, detail) => {
      const items = [make(), make(at)];
      const res = await h.call('POST', `/v1/${kind}`, h.tokens.writer, { [kind]: items });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.field).toBe(`${kind}[1].at`);
      expect(res.body.detail).toMatch(new RegExp(`^${kind.replace('[', '\\[')}\\[1\\]\\.at: `));
      expect(res.body.detail).toMatch(detail);
      expect(
        await stored(
          kind === 'runs' ? 'prompt_runs' : 'feedback',
          items.map((i) => i.id),
        ),
      ).toBe(0);
    },
  );

  test('the admin import takes old runs and feedback, refuses the future, and only for admins', async () => {
    const oldRuns = [run(ago(400 * 24 * HOUR)), run(ago(2 * 24 * HOUR))];
    for (const role of ['reader', 'writer', 'owner'] as const) {
      const res = await h.call('POST', '/v1/admin/import/runs', h.tokens[role], { runs: oldRuns });
      expect(res.status).toBe(403);
    }
    const imported = await h.call('POST', '/v1/admin/import/runs', h.tokens.admin, { runs: oldRuns });
    expect(imported.status).toBe(202);
    expect(imported.body).toEqual({ stored: 2, duplicates: 0 });
    const rows = await h.db.all<{ created_at: string }>(
      `SELECT created_at FROM prompt_runs WHERE id IN (?, ?) ORDER BY created_at`,
      oldRuns.map((r) => r.id),
    );
    expect(rows.map((r) => r.created_at)).toEqual(oldRuns.map((r) => r.at));

    const oldFeedback = [{ id: id(), runId: oldRuns[0]!.id, thumbs: 'down', at: ago(399 * 24 * HOUR) }];
    expect((await h.call('POST', '/v1/admin/import/feedback', ADMIN, { feedback: oldFeedback })).status).toBe(202);
    expect(await stored('feedback', [oldFeedback[0]!.id])).toBe(1);

    const future = await h.call('POST', '/v1/admin/import/runs', h.tokens.admin, {
      runs: [run(new Date(Date.now() + HOUR).toISOString())],
    });
    expect(future.status).toBe(400);
    expect(future.body.field).toBe('runs[0].at');
  });
});

describe('per-token rate limit on /v1/runs and /v1/feedback', () => {
  let h: ApiHarness;
  let limited: ApiServer;
  beforeAll(async () => {
    h = await apiHarness();
    limited = await startApiServer(h.db, {
      port: 0,
      bootstrapToken: ADMIN,
      pollMs: 50,
      recordRate: { perSecond: 0.5, burst: 2 },
    });
  });
  afterAll(async () => {
    await limited.close();
    await h.close();
  });

  const post = (path: string, token: string, body: unknown) =>
    fetch(`${limited.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  let n = 0;
  const runs = () => ({ runs: [{ id: `rl-${Date.now()}-${++n}`, name: 'greeting', version: 1 }] });

  test('past the burst a token gets 429 problem+json with retry-after; other tokens and imports go on', async () => {
    expect((await post('/v1/runs', h.tokens.writer, runs())).status).toBe(202);
    expect(
      (
        await post('/v1/feedback', h.tokens.writer, {
          feedback: [{ id: `rl-fb-${Date.now()}-${++n}`, name: 'greeting', version: 1, thumbs: 'up' }],
        })
      ).status,
    ).toBe(202);
    const refused = await post('/v1/runs', h.tokens.writer, runs());
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2); // one token every 2 s
    const body = (await refused.json()) as { status: number; detail: string };
    expect(body.status).toBe(429);
    expect(body.detail).toContain('"will"');
    expect(body.detail).toContain('retry-after');
    // Feedback shares the bucket: the same token is refused there too.
    expect(
      (
        await post('/v1/feedback', h.tokens.writer, {
          feedback: [{ id: `rl-fb-${Date.now()}-${++n}`, name: 'greeting', version: 1, thumbs: 'up' }],
        })
      ).status,
    ).toBe(429);
    // Another subject has its own bucket, and so has another token of the same subject (the limit is per
    // token); the admin import is not rate-limited.
    expect((await post('/v1/runs', h.tokens.owner, runs())).status).toBe(202);
    expect((await post('/v1/runs', await createToken(h.db, 'will', 'writer'), runs())).status).toBe(202);
    for (let i = 0; i < 4; i++) expect((await post('/v1/admin/import/runs', h.tokens.admin, runs())).status).toBe(202);
  });
});
