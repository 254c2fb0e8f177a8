import { stickyBucket } from '../../src/library/sticky';
import { describeEachStore } from '../support/store-backends';
import { apiHarness, ADMIN, type ApiHarness } from './api-harness';

describeEachStore('the HTTP API', (backend) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness(() => backend.open());
    await h.call('PUT', '/v1/library/greeting/labels/production', ADMIN, { version: 1, reason: 'launch' });
  });
  afterAll(() => h.close());

  describe('resolve', () => {
    test('by label: content, version, hash and a stable prompt link', async () => {
      const res = await h.call('GET', '/v1/resolve/greeting?label=production', h.tokens.reader);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: 'greeting',
        label: 'production',
        version: 1,
        content: { type: 'text', text: 'Hello {{name}}' },
        link: 'https://refinery.example.test/v1/library/greeting/versions/1',
      });
      expect(res.body.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.headers.get('etag')).toBe(`"${res.body.hash}"`);
      const again = await h.call('GET', '/v1/resolve/greeting', h.tokens.reader, undefined, {
        'if-none-match': `"${res.body.hash}"`,
      });
      expect(again.status).toBe(304);
    });

    test('latest is automatic', async () => {
      const res = await h.call('GET', '/v1/resolve/greeting?label=latest', h.tokens.reader);
      expect(res.body.version).toBe(2);
    });

    test('by unit id: a sticky bucket, the same on every call', async () => {
      const a = await h.call('GET', '/v1/resolve/greeting?unit=user-42', h.tokens.reader);
      const b = await h.call('GET', '/v1/resolve/greeting?unit=user-42', h.tokens.reader);
      expect(a.body.unit).toEqual({ id: 'user-42', bucket: stickyBucket('user-42', 'greeting') });
      expect(b.body.unit).toEqual(a.body.unit);
      expect(a.body.version).toBe(1);
    });

    test('an unknown name or label is a 404 problem naming the field', async () => {
      const res = await h.call('GET', '/v1/resolve/nope', h.tokens.reader);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 404, field: 'name', detail: expect.stringContaining('"nope"') });
      const label = await h.call('GET', '/v1/resolve/greeting?label=canary', h.tokens.reader);
      expect(label.body).toMatchObject({ status: 404, field: 'label' });
    });

    test('a rollback is what the next resolve serves', async () => {
      await h.call('PUT', '/v1/library/greeting/labels/production', ADMIN, { version: 2, reason: 'ship v2' });
      expect((await h.call('GET', '/v1/resolve/greeting', h.tokens.reader)).body.version).toBe(2);
      const rb = await h.call('POST', '/v1/library/greeting/rollback', ADMIN, { reason: 'v2 hurts' });
      expect(rb.body).toMatchObject({ fromVersion: 2, toVersion: 1, reason: 'rollback: v2 hurts' });
      expect((await h.call('GET', '/v1/resolve/greeting', h.tokens.reader)).body.version).toBe(1);
    });

    test('rollback to a version that does not exist changes nothing', async () => {
      const res = await h.call('POST', '/v1/library/greeting/rollback', ADMIN, { to: 99, reason: 'x' });
      expect(res.status).toBe(404);
      expect(res.body.field).toBe('version');
      expect((await h.call('GET', '/v1/resolve/greeting', h.tokens.reader)).body.version).toBe(1);
    });
  });

  describe('validation and limits', () => {
    test.each([
      ['/v1/runs', { runs: [{ id: 'run-1234567', name: 'greeting', version: 'one' }] }, 'runs[0].version'],
      ['/v1/runs', { runs: [] }, 'runs'],
      [
        '/v1/feedback',
        { feedback: [{ id: 'fb-1234567', name: 'greeting', version: 1, rating: 9 }] },
        'feedback[0].rating',
      ],
      ['/v1/feedback', { feedback: [{ id: 'fb-1234567', name: 'greeting', version: 1 }] }, 'feedback[0].thumbs'],
      ['/v1/library/greeting/versions', { content: { type: 'text', text: 'x' } }, 'rationale'],
      [
        '/v1/library/greeting/versions',
        { content: { type: 'chat', messages: [] }, rationale: 'r' },
        'content.messages',
      ],
    ])('%s with a bad body names %s', async (urlPath, body, field) => {
      const res = await h.call('POST', urlPath, ADMIN, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.field).toBe(field);
      expect(res.body.detail.startsWith(`${field}: `)).toBe(true);
    });

    test('a body over 1 MiB is refused with 413', async () => {
      const res = await h.call('POST', '/v1/runs', ADMIN, JSON.stringify({ runs: [{ id: 'x'.repeat(1_100_000) }] }));
      expect(res.status).toBe(413);
    });

    test('a non-JSON body is refused with 415, malformed JSON with 400', async () => {
      expect((await h.call('POST', '/v1/runs', ADMIN, undefined, { 'content-type': 'text/plain' })).status).toBe(415);
      const bad = await h.call('POST', '/v1/runs', ADMIN, '{not json');
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('body');
    });

    test('unknown routes and methods are problems too', async () => {
      expect((await h.call('GET', '/v1/nothing', ADMIN)).status).toBe(404);
      expect((await h.call('POST', '/v1/resolve/greeting', ADMIN, {})).status).toBe(405);
    });
  });

  describe('runs, feedback and search', () => {
    test('usage and outcome figures per version; a repeated run id is stored once', async () => {
      const runs = [
        { id: 'run-a-000001', name: 'greeting', version: 1, latencyMs: 120, formatOk: true },
        { id: 'run-a-000002', name: 'greeting', version: 1, latencyMs: 80, formatOk: false, corrected: true },
        { id: 'run-a-000003', name: 'greeting', version: 1, error: 'timeout' },
        { id: 'run-a-000004', name: 'greeting', version: 2, latencyMs: 50, regenerated: true },
      ];
      expect((await h.call('POST', '/v1/runs', h.tokens.writer, { runs })).body).toEqual({ stored: 4, duplicates: 0 });
      expect((await h.call('POST', '/v1/runs', h.tokens.writer, { runs: runs.slice(0, 2) })).body).toEqual({
        stored: 0,
        duplicates: 2,
      });
      const fb = [
        { id: 'fb-a-000001', runId: 'run-a-000001', thumbs: 'up', rating: 5 },
        { id: 'fb-a-000002', runId: 'run-a-000002', thumbs: 'down', correction: 'Hello, Ana', rating: 2 },
        { id: 'fb-a-000003', runId: 'run-a-000004', thumbs: 'down', comment: 'too short' },
      ];
      expect((await h.call('POST', '/v1/feedback', h.tokens.writer, { feedback: fb })).status).toBe(202);
      const search = await h.call('GET', '/v1/library?tag=onboarding', h.tokens.reader);
      expect(search.body.items).toHaveLength(1);
      const [v1, v2] = search.body.items[0].versions;
      expect(v1.usage).toMatchObject({
        runs: 3,
        errorRate: 0.3333,
        formatOkRate: 0.5,
        correctionRate: 0.3333,
        thumbsUp: 1,
        thumbsDown: 1,
        averageRating: 3.5,
        p50LatencyMs: 80,
      });
      expect(v2.usage).toMatchObject({ runs: 1, regenerationRate: 1, thumbsDown: 1 });
      expect(v1.link).toBe('https://refinery.example.test/v1/library/greeting/versions/1');
    });

    test('feedback for an unknown run is a problem naming the field', async () => {
      const res = await h.call('POST', '/v1/feedback', h.tokens.writer, {
        feedback: [{ id: 'fb-b-000001', runId: 'run-missing', thumbs: 'up' }],
      });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('feedback[0].runId');
    });

    test('a run for a version that does not exist is refused', async () => {
      const res = await h.call('POST', '/v1/runs', h.tokens.writer, {
        runs: [{ id: 'run-c-000001', name: 'greeting', version: 42 }],
      });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('runs[0].version');
    });

    test.each([
      ['q=greets', 1],
      ['q=GREETING', 1],
      ['owner=olga', 1],
      ['owner=nobody', 0],
      ['name=greeting', 1],
      ['tag=missing', 0],
      ['kind=skill', 0],
    ])('search %s → %i', async (qs, n) => {
      expect((await h.call('GET', `/v1/library?${qs}`, h.tokens.reader)).body.items).toHaveLength(n);
    });
  });

  describe('the OpenAPI document', () => {
    test('is served without a token and describes every route', async () => {
      const res = await h.call('GET', '/openapi.json', undefined);
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      );
      const { ROUTE_LIST } = await import('../../src/api/server');
      for (const r of ROUTE_LIST) expect(documented).toContain(`${r.method} ${r.path}`);
    });
  });
});
