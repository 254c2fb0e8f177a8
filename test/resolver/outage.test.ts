import http from 'node:http';
import type net from 'node:net';
import { startApiServer } from '../../src/api/server';
import { createResolver, ResolverError } from '../../src/resolver';
import { countingFetch, deadPort, errorSink, seed, startHarness, TOKEN, waitFor, type Harness } from './harness';

const FALLBACK = { type: 'text' as const, text: 'Summarise: {{text}}', variables: ['text'] };

describe('resolver when the API is down', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seed(h.db, 'summary', ['v1: {{text}}']);
  });
  afterAll(() => h.close());

  it('keeps serving the last good value as stale, and fresh again once the API is back', async () => {
    const sink = errorSink();
    const { fetch, calls } = countingFetch();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, onError: sink.onError, fetch });
    try {
      expect(await resolver.get('summary')).toMatchObject({ version: 1, source: 'api' });
      await waitFor(() => resolver.stats().changes === 'connected');

      await h.api.close();
      const stale = await waitFor(async () => {
        const r = await resolver.get('summary');
        return r.source === 'stale' ? r : undefined;
      });
      expect(stale).toMatchObject({ name: 'summary', version: 1, content: { text: 'v1: {{text}}' } });
      expect(sink.errors.map((e) => e.code)).toContain('changes-failed');
      // Hot path stays in memory, however long the API stays away: 1,000 answers, not one request for them (the
      // change feed's own reconnects aside).
      const asked = () => calls.filter((c) => !c.includes('/v1/changes')).length;
      const before = asked();
      for (let i = 0; i < 1000; i++) expect((await resolver.get('summary')).source).toBe('stale');
      expect(asked()).toBe(before);

      await h.restart();
      await waitFor(async () => (await resolver.get('summary')).source === 'cache', 10_000);
    } finally {
      await resolver.close();
    }
  });

  it('serves the configured fallback for a name it never resolved, then the real one once the API answers', async () => {
    const port = await deadPort();
    const sink = errorSink();
    const resolver = createResolver({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      fallback: { summary: { version: 1, content: FALLBACK }, other: { content: FALLBACK } },
      onError: sink.onError,
    });
    try {
      const r = await resolver.get('summary');
      // Another name during the outage: answered at once, without waiting on the change feed's backoff.
      const t = Date.now();
      expect(await resolver.get('other')).toMatchObject({ source: 'fallback', version: 0, link: '' });
      expect(Date.now() - t).toBeLessThan(200);
      expect(r).toMatchObject({ name: 'summary', version: 1, content: FALLBACK, source: 'fallback', hash: '' });
      const reported = sink.errors.find((e) => e.code === 'resolve-failed');
      expect(reported?.message).toMatch(/Serving the configured fallback for "summary"/);
      expect((await resolver.get('summary')).source).toBe('fallback');

      // The API comes up on that address: the resolver swaps the fallback for the real version.
      const late = await startApiServer(h.db, { port, bootstrapToken: TOKEN, pollMs: 50 });
      try {
        const real = await waitFor(async () => {
          const got = await resolver.get('summary');
          return got.source === 'cache' ? got : undefined;
        }, 10_000);
        expect(real).toMatchObject({ version: 1, content: { text: 'v1: {{text}}' } });
        expect(real.hash).toMatch(/^[0-9a-f]{64}$/);
      } finally {
        await resolver.close();
        await late.close();
      }
    } finally {
      await resolver.close();
    }
  });

  it('rejects with a clear error naming the name and the fix when there is no fallback', async () => {
    const port = await deadPort();
    const resolver = createResolver({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, onError: () => undefined });
    try {
      const err: unknown = await resolver.get('summary').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResolverError);
      const message = (err as Error).message;
      console.log(`resolver: get with the API down and no fallback rejects with: ${message}`);
      expect(message).toMatch(/cannot resolve "summary" \(label production\)/);
      expect(message).toMatch(/ECONNREFUSED/);
      expect(message).toMatch(/no fallback is configured/);
      expect(message).toMatch(/check baseUrl and that the API is running/);
      expect(message).toMatch(/fallback: \{ 'summary': \{ content \} \}/);
    } finally {
      await resolver.close();
    }
  });

  it('names the fix for a name the API does not know', async () => {
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, onError: () => undefined });
    try {
      await expect(resolver.get('no-such-prompt')).rejects.toThrow(/"no-such-prompt".*push "no-such-prompt"/);
    } finally {
      await resolver.close();
    }
  });

  it('never hangs on a server that accepts connections and says nothing', async () => {
    const sockets = new Set<net.Socket>();
    const silent = http.createServer(() => undefined);
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const resolver = createResolver({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      requestTimeoutMs: 300,
      fallback: { other: { content: FALLBACK } },
      onError: () => undefined,
    });
    try {
      // The request timeout's own message shows the request was cut at 300 ms (a hang would meet jest's timeout).
      await expect(resolver.get('summary')).rejects.toThrow(/no answer within 300 ms/);
      expect(await resolver.get('other')).toMatchObject({ source: 'fallback', version: 0 });
    } finally {
      await resolver.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
