import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { createResolver } from '../../src/resolver';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { count, errorSink, seed, TOKEN, urlOf } from './harness';

/**
 * The real resolver against a real API on 127.0.0.1 whose per-token rate limit is one request every 2 s:
 * every 429 carries retry-after, and the resolver must not send again before it.
 */
describe('the resolver honours the API rate limit', () => {
  let dir: string;
  let db: Db;
  let api: ApiServer;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refinery-retry-after-'));
    db = await openStore('sqlite:' + path.join(dir, 'store.db'));
    api = await startApiServer(db, {
      port: 0,
      bootstrapToken: TOKEN,
      pollMs: 50,
      recordRate: { perSecond: 0.5, burst: 1 },
    });
    await seed(db, 'limited', ['v1']);
  });
  afterAll(async () => {
    await api.close();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('waits out retry-after (not its own short backoff) after each 429, then delivers everything once', async () => {
    const posts: { at: number; status: number; retryAfter: string | null }[] = [];
    const watching: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === 'POST' && urlOf(input).includes('/v1/'))
        posts.push({ at: Date.now(), status: res.status, retryAfter: res.headers.get('retry-after') });
      return res;
    };
    const sink = errorSink();
    const resolver = createResolver({
      baseUrl: api.url,
      token: TOKEN,
      fetch: watching,
      onError: sink.onError,
      // Its own backoff would come back after 10-20 ms: only retry-after explains a longer wait.
      batch: { maxItems: 1, maxDelayMs: 0, retryBaseMs: 10, retryMaxMs: 20, closeTimeoutMs: 20_000 },
    });
    const runId = resolver.recordRun({ name: 'limited', version: 1 });
    resolver.recordRun({ name: 'limited', version: 1 });
    resolver.recordFeedback({ runId, thumbs: 'up' });
    await resolver.close();

    expect(sink.errors.filter((e) => e.code !== 'send-retrying')).toEqual([]);
    expect(await count(db, 'prompt_runs', "name = 'limited'")).toBe(2);
    expect(await count(db, 'feedback', "name = 'limited'")).toBe(1);
    expect(posts.filter((p) => p.status === 202)).toHaveLength(3);
    const refused = posts.filter((p) => p.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const [i, p] of posts.entries()) {
      if (p.status !== 429) continue;
      expect(p.retryAfter).toMatch(/^[12]$/);
      const next = posts[i + 1]!;
      // Never sooner than the server asked (a few ms of slack for clock reads around the request).
      expect(next.at - p.at).toBeGreaterThanOrEqual(Number(p.retryAfter) * 1000 - 50);
    }
    // A 429 is a pause, not a failure of the items: the first is reported once, nothing is dropped.
    expect(sink.errors[0]).toMatchObject({ code: 'send-retrying', status: 429 });
    expect(resolver.stats()).toMatchObject({ dropped: 0 });
  }, 30_000);
});
