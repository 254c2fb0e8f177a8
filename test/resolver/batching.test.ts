import { createResolver } from '../../src/resolver';
import { count, countingFetch, errorSink, seed, startHarness, TOKEN, waitFor, type Harness } from './harness';

describe('resolver runs and feedback batching', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seed(h.db, 'summary', ['v1: {{text}}']);
  });
  afterAll(() => h.close());

  it('sends 250 runs in at most 4 requests, without blocking the caller', async () => {
    const { fetch, calls } = countingFetch();
    const sink = errorSink();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, fetch, onError: sink.onError });
    try {
      // Not blocking: each call returns its run id at once (a string, not a promise) and sends nothing itself.
      const ids = Array.from({ length: 250 }, (_, i) =>
        resolver.recordRun({ name: 'summary', version: 1, latencyMs: 12.7 + i, unitId: `user-${i}` }),
      );
      expect(new Set(ids).size).toBe(250);
      expect(ids.every((id) => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id))).toBe(true);
      expect(calls).toEqual([]); // nothing sent inside recordRun

      // The two full batches go at once; the last 50 wait for maxDelayMs (1 s by default).
      await waitFor(() => calls.length >= 2, 2000);
      await waitFor(async () => (await count(h.db, 'prompt_runs', "name = 'summary'")) === 250, 3000);
      const posts = calls.filter((c) => c === 'POST /v1/runs');
      expect(posts.length).toBeLessThanOrEqual(4);
      expect(posts.length).toBe(3);
      expect(sink.errors).toEqual([]);
      const row = await h.db.get<{ latency_ms: number }>('SELECT latency_ms FROM prompt_runs WHERE id = ?', [ids[0]!]);
      expect(Number(row?.latency_ms)).toBe(13); // rounded: the API takes whole ms
    } finally {
      await resolver.close();
    }
  });

  it('waits at most maxDelayMs to send a partial batch', async () => {
    const { fetch, calls } = countingFetch();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, fetch, batch: { maxDelayMs: 100 } });
    try {
      const t = Date.now();
      resolver.recordRun({ name: 'summary', version: 1 });
      await waitFor(() => calls.includes('POST /v1/runs'), 2000, 5);
      // Not before maxDelayMs (a timer never fires early); when after it depends on the machine's load, so the
      // poll's deadline is the only upper bound.
      expect(Date.now() - t).toBeGreaterThanOrEqual(90);
    } finally {
      await resolver.close();
    }
  });

  it('stores feedback that names runs recorded in the same batch window (runs go first)', async () => {
    const { fetch, calls } = countingFetch();
    const sink = errorSink();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, fetch, onError: sink.onError });
    try {
      const runIds: string[] = [];
      // Interleaved, as an application would: each run is followed by its feedback.
      for (let i = 0; i < 30; i++) {
        const runId = resolver.recordRun({ name: 'summary', version: 1, latencyMs: 40 });
        runIds.push(runId);
        resolver.recordFeedback({ runId, thumbs: i % 3 === 0 ? 'down' : 'up', comment: `item ${i}` });
      }
      expect(await resolver.flush()).toEqual({ pending: 0 });
      expect(sink.errors).toEqual([]);
      expect(calls.filter((c) => c.startsWith('POST'))).toEqual(['POST /v1/runs', 'POST /v1/feedback']);
      const linked = await count(
        h.db,
        'feedback',
        `run_id IN (${runIds.map((id) => `'${id}'`).join(',')}) AND name = 'summary' AND version = 1`,
      );
      expect(linked).toBe(30);
      expect(await count(h.db, 'feedback', `thumbs = -1 AND comment LIKE 'item %'`)).toBe(10);
    } finally {
      await resolver.close();
    }
  });
});
