import { createResolver } from '../../src/resolver';
import { count, countingFetch, deadPort, errorSink, seed, startHarness, TOKEN, urlOf, type Harness } from './harness';

const problem503 = () =>
  new Response(
    JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'try later' }),
    {
      status: 503,
      headers: { 'content-type': 'application/problem+json' },
    },
  );

describe('resolver delivery of runs and feedback', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seed(h.db, 'summary', ['v1: {{text}}']);
  });
  afterAll(() => h.close());

  it('loses nothing on close: 1,000 runs and 1,000 feedback items recorded quickly are all stored', async () => {
    await seed(h.db, 'close-test', ['v1']);
    const sink = errorSink();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, onError: sink.onError });
    for (let i = 0; i < 1000; i++) {
      const runId = resolver.recordRun({ name: 'close-test', version: 1, latencyMs: i });
      resolver.recordFeedback({ runId, rating: (i % 5) + 1 });
    }
    await resolver.close();
    expect(sink.errors).toEqual([]);
    expect(await count(h.db, 'prompt_runs', "name = 'close-test'")).toBe(1000);
    expect(await count(h.db, 'feedback', "name = 'close-test'")).toBe(1000);
    expect(resolver.stats()).toMatchObject({ queued: { runs: 0, feedback: 0 }, dropped: 0 });
  });

  it('retries failed batches (503, and a 503 after the API stored it) and stores every run exactly once', async () => {
    await seed(h.db, 'retry-test', ['v1']);
    let failed = 0;
    const flaky: typeof fetch = async (input, init) => {
      if (urlOf(input).endsWith('/v1/runs') && failed < 2) {
        failed++;
        if (failed === 1) return problem503(); // refused before storing
        await fetch(input, init); // stored, but the answer is lost: the retry must not duplicate
        return problem503();
      }
      return fetch(input, init);
    };
    const { fetch: counted, calls } = countingFetch(flaky);
    const sink = errorSink();
    const resolver = createResolver({
      baseUrl: h.url,
      token: TOKEN,
      fetch: counted,
      onError: sink.onError,
      batch: { retryBaseMs: 50 },
    });
    const ids = Array.from({ length: 150 }, () => resolver.recordRun({ name: 'retry-test', version: 1 }));
    await resolver.flush();
    await resolver.close();
    expect(failed).toBe(2);
    expect(calls.filter((c) => c === 'POST /v1/runs').length).toBeGreaterThanOrEqual(4);
    expect(await count(h.db, 'prompt_runs', "name = 'retry-test'")).toBe(150);
    const stored = await h.db.all<{ id: string }>("SELECT id FROM prompt_runs WHERE name = 'retry-test'");
    expect(new Set(stored.map((r) => r.id))).toEqual(new Set(ids));
    // One report for the failing streak, not one per retry.
    expect(sink.errors.map((e) => e.code)).toEqual(['send-retrying']);
    expect(sink.errors[0]).toMatchObject({ status: 503, detail: 'try later' });
  });

  it('drops an item the API refuses (400), reports the problem, and delivers the rest', async () => {
    await seed(h.db, 'bad-test', ['v1']);
    const sink = errorSink();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, onError: sink.onError });
    const before = resolver.recordRun({ name: 'bad-test', version: 1 });
    const bad = resolver.recordRun({ name: 'bad-test', version: 99 });
    const after = resolver.recordRun({ name: 'bad-test', version: 1 });
    resolver.recordFeedback({ runId: before, thumbs: 'up' });
    resolver.recordFeedback({ runId: bad, thumbs: 'down' }); // its run never arrived
    resolver.recordFeedback({ runId: after, thumbs: 'up' });
    await resolver.close();

    expect(await count(h.db, 'prompt_runs', "name = 'bad-test'")).toBe(2);
    expect(await count(h.db, 'feedback', "name = 'bad-test'")).toBe(2);
    expect(sink.errors.map((e) => e.code)).toEqual(['item-rejected', 'item-rejected']);
    const [runErr, feedbackErr] = sink.errors;
    expect(runErr).toMatchObject({ status: 400, ids: [bad], field: 'runs[1].version' });
    expect(runErr!.detail).toMatch(/"bad-test" has no version 99/);
    expect(runErr!.message).toMatch(/refused runs item .* dropped: runs\[1\]: "bad-test" has no version 99/);
    expect(feedbackErr).toMatchObject({ status: 400, field: 'feedback[1].runId' });
    expect(feedbackErr!.detail).toMatch(new RegExp(`no run "${bad}"`));
    expect(resolver.stats().dropped).toBe(2);
  });

  it('halves a batch the API finds too large (413) rather than dropping it', async () => {
    await seed(h.db, 'big-test', ['v1']);
    const sizes: number[] = [];
    const picky: typeof fetch = (input, init) => {
      if (urlOf(input).endsWith('/v1/runs')) {
        const n = (JSON.parse(init?.body as string) as { runs: unknown[] }).runs.length;
        sizes.push(n);
        if (n > 30) return Promise.resolve(new Response('{"detail":"too large"}', { status: 413 }));
      }
      return fetch(input, init);
    };
    const sink = errorSink();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, fetch: picky, onError: sink.onError });
    for (let i = 0; i < 100; i++) resolver.recordRun({ name: 'big-test', version: 1 });
    await resolver.close();
    expect(sink.errors).toEqual([]);
    expect(await count(h.db, 'prompt_runs', "name = 'big-test'")).toBe(100);
    expect(sizes.slice(0, 3)).toEqual([100, 50, 25]);
  });

  it('drops a batch refused as a whole (401: bad token), reporting it, rather than retrying forever', async () => {
    const sink = errorSink();
    const resolver = createResolver({ baseUrl: h.url, token: 'not-a-token', onError: sink.onError });
    const ids = [
      resolver.recordRun({ name: 'summary', version: 1 }),
      resolver.recordRun({ name: 'summary', version: 1 }),
    ];
    await resolver.close();
    expect(sink.errors).toHaveLength(1);
    expect(sink.errors[0]).toMatchObject({ code: 'item-rejected', status: 401, ids });
    expect(sink.errors[0]!.message).toMatch(
      /refused a batch of 2 runs and it was dropped: the bearer token is not known/,
    );
  });

  it('gives up at the close deadline when the API stays down, reporting every undelivered id', async () => {
    const port = await deadPort();
    const sink = errorSink();
    const resolver = createResolver({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      onError: sink.onError,
      batch: { closeTimeoutMs: 700, retryBaseMs: 50 },
    });
    const runs = Array.from({ length: 3 }, () => resolver.recordRun({ name: 'summary', version: 1 }));
    const feedback = resolver.recordFeedback({ runId: runs[0], thumbs: 'up' });
    const t = Date.now();
    await resolver.close();
    // It kept retrying until the deadline (close returning at all, with the report below, shows it gave up).
    expect(Date.now() - t).toBeGreaterThanOrEqual(650);
    const undelivered = sink.errors.find((e) => e.code === 'undelivered');
    expect(undelivered?.message).toMatch(/3 runs and 1 feedback items were not delivered/);
    expect(undelivered?.ids).toEqual([...runs, feedback]);
    expect(sink.errors.map((e) => e.code)).toContain('send-retrying');
    // Recording after close is ignored, reported, and still does not throw.
    const late = resolver.recordRun({ name: 'summary', version: 1 });
    expect(sink.errors.at(-1)).toMatchObject({ code: 'closed', ids: [late] });
  });

  it('bounds the queue: past maxQueue new items are dropped and reported once', async () => {
    const port = await deadPort();
    const sink = errorSink();
    const resolver = createResolver({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      onError: sink.onError,
      batch: { maxQueue: 50, closeTimeoutMs: 0 },
    });
    for (let i = 0; i < 80; i++) resolver.recordRun({ name: 'summary', version: 1 });
    expect(resolver.stats()).toMatchObject({ queued: { runs: 50, feedback: 0 }, dropped: 30 });
    expect(sink.errors.filter((e) => e.code === 'queue-full')).toHaveLength(1);
    await resolver.close();
    expect(resolver.stats().dropped).toBe(80);
  });
});
