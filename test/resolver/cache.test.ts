import { createResolver } from '../../src/resolver';
import { countingFetch, seed, startHarness, TOKEN, waitFor, type Harness } from './harness';

describe('resolver cache', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seed(h.db, 'summary', ['Summarise: {{text}}', 'Summarise briefly: {{text}}']);
  });
  afterAll(() => h.close());

  it('fetches once, then answers from memory', async () => {
    const { fetch, calls } = countingFetch();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, fetch });
    try {
      const first = await resolver.get('summary');
      const second = await resolver.get('summary', { label: 'production' });
      expect(first).toMatchObject({ name: 'summary', label: 'production', version: 2, source: 'api' });
      expect(first.content).toEqual({ type: 'text', text: 'Summarise briefly: {{text}}', variables: [] });
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(first.link).toBe(`${h.url}/v1/library/summary/versions/2`);
      expect(second).toMatchObject({ version: 2, hash: first.hash, source: 'cache' });
      expect(calls.filter((c) => c === 'GET /v1/resolve/summary')).toHaveLength(1);
      // Nor does the background re-fetch it once the change feed is up: only a move would.
      await waitFor(() => resolver.stats().changes === 'connected');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(calls.filter((c) => c.startsWith('GET /v1/resolve'))).toHaveLength(1);
      expect(calls.filter((c) => !c.startsWith('GET /v1/changes'))).toHaveLength(1);
    } finally {
      await resolver.close();
    }
  });

  it('shares one request between concurrent first gets, and caches per label and per unit', async () => {
    const { fetch, calls } = countingFetch();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, fetch });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => resolver.get('summary')));
      expect(new Set(answers.map((a) => a.version))).toEqual(new Set([2]));
      const latest = await resolver.get('summary', { label: 'latest' });
      const unit = await resolver.get('summary', { unit: 'user-42' });
      await resolver.get('summary', { unit: 'user-42' });
      expect(latest).toMatchObject({ label: 'latest', version: 2 });
      expect(unit).toMatchObject({ version: 2, unit: { id: 'user-42' }, source: 'api' });
      expect(calls.filter((c) => c === 'GET /v1/resolve/summary')).toHaveLength(3);
      expect(resolver.stats().entries).toBe(3);
    } finally {
      await resolver.close();
    }
  });

  it('hands out frozen content, so one caller cannot change what others get', async () => {
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN });
    try {
      const a = await resolver.get('summary');
      expect(() => {
        (a.content as { text: string }).text = 'hacked';
      }).toThrow(TypeError);
      expect((await resolver.get('summary')).content).toMatchObject({ text: 'Summarise briefly: {{text}}' });
    } finally {
      await resolver.close();
    }
  });

  it('rejects bad options at once', () => {
    expect(() => createResolver({ baseUrl: 'not a url', token: TOKEN })).toThrow(/baseUrl/);
    expect(() => createResolver({ baseUrl: h.url, token: '' })).toThrow(/token/);
    expect(() => createResolver({ baseUrl: h.url, token: TOKEN, batch: { maxItems: 5000 } })).toThrow(/maxItems/);
  });
});
