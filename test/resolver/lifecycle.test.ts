import { spawn } from 'node:child_process';
import path from 'node:path';
import { createResolver } from '../../src/resolver';
import { count, countingFetch, seed, startHarness, TOKEN, waitFor, type Harness } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');

describe('resolver lifecycle', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seed(h.db, 'summary', ['v1: {{text}}']);
  });
  afterAll(() => h.close());

  it('makes no request after close()', async () => {
    const { fetch, calls } = countingFetch();
    const resolver = createResolver({ baseUrl: h.url, token: TOKEN, fetch, refreshIntervalMs: 20 });
    await resolver.get('summary');
    await waitFor(() => resolver.stats().changes === 'connected');
    await waitFor(() => calls.filter((c) => c.startsWith('GET /v1/resolve')).length >= 3); // safety refreshes
    await resolver.close();
    const after = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls.length).toBe(after);
    expect(resolver.stats().changes).toBe('stopped');
    // get still answers from memory after close, marked stale: nothing refreshes it any more.
    expect(await resolver.get('summary')).toMatchObject({ version: 1, source: 'stale' });
    await expect(resolver.get('other')).rejects.toThrow(/resolver is closed/);
  });

  it('lets the process exit on its own right after close()', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'exit-child.ts'), h.url, TOKEN], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const exitedAt = Date.now();
    expect(err).toBe('');
    expect(code).toBe(0);
    const closedAt = Number(/closed (\d+)/.exec(out)?.[1]);
    // A pending long poll (25 s by default) would hold the process that long, and a live refresh timer forever;
    // the bound is loose so a busy machine's slow exit is not mistaken for either.
    expect(exitedAt - closedAt).toBeLessThan(10_000);
    expect(await count(h.db, 'prompt_runs', "name = 'summary'")).toBe(1);
    expect(await count(h.db, 'feedback', "name = 'summary'")).toBe(1);
  }, 30_000);
});
