import { spawn } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { moveLabel } from '../src/library/label-store';
import { recordVersion } from '../src/library/versions';
import { createResolver } from '../src/resolver/resolver';
import type { Db } from '../src/store/db';
import { openStore } from '../src/store/open';
import { median } from './stats';

const TOKEN = 'bench-admin-token';
const NAME = 'bench-prompt';

async function startApiProcess(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'api-server.ts')], {
    env: { ...process.env, REFINERY_DATABASE_URL: databaseUrl, REFINERY_API_TOKEN: TOKEN, REFINERY_API_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`the API process exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function seed(db: Db): Promise<void> {
  const actor = { subject: 'bench', admin: true, ownerRole: true };
  for (const text of ['Summarise {{ticket}}.', 'Summarise {{ticket}} in three bullets.']) {
    await recordVersion(
      db,
      NAME,
      { type: 'text', text, variables: ['ticket'] },
      { rationale: 'bench', author: 'bench' },
    );
  }
  await moveLabel(db, { name: NAME, label: 'production', version: 1, actor, reason: 'bench' });
}

async function load(url: string, overallRate: number | undefined, seconds: number) {
  const r = await autocannon({
    url: `${url}/v1/resolve/${NAME}?label=production`,
    connections: overallRate ? 20 : 50,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    total: r.requests.total,
  };
}

/** Time from a rollback call returning to a resolver serving the previous version (ms), over several trials. */
async function rollbackToResolver(url: string, trials: number): Promise<number[]> {
  const resolver = createResolver({ baseUrl: url, token: TOKEN, onError: () => undefined });
  const out: number[] = [];
  try {
    await resolver.get(NAME);
    for (let i = 0; i < trials; i++) {
      const current = (await resolver.get(NAME)).version;
      const target = current === 1 ? 2 : 1;
      const res = await fetch(`${url}/v1/library/${NAME}/labels/production`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: target, reason: 'bench: move' }),
      });
      if (!res.ok) throw new Error(`label move failed: ${res.status}`);
      const t0 = performance.now();
      while ((await resolver.get(NAME)).version !== target) await new Promise((r) => setTimeout(r, 2));
      out.push(performance.now() - t0);
    }
  } finally {
    await resolver.close();
  }
  return out;
}

/** N runs and N feedback items through the resolver's batching, then a clean close: N stored of each? */
async function ingestion(url: string, db: Db, n: number) {
  const resolver = createResolver({ baseUrl: url, token: TOKEN, onError: () => undefined });
  const before = await counts(db);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const runId = resolver.recordRun({ name: NAME, version: 1, latencyMs: 100 + (i % 50), formatOk: i % 10 !== 0 });
    resolver.recordFeedback({ runId, thumbs: i % 7 === 0 ? 'down' : 'up' });
  }
  await resolver.close();
  const ms = performance.now() - t0;
  const after = await counts(db);
  return {
    sent: n,
    runsStored: after.runs - before.runs,
    feedbackStored: after.feedback - before.feedback,
    seconds: Math.round(ms) / 1000,
  };
}

async function counts(db: Db): Promise<{ runs: number; feedback: number }> {
  const r = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM prompt_runs');
  const f = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM feedback');
  return { runs: Number(r?.n ?? 0), feedback: Number(f?.n ?? 0) };
}

export async function libraryBench(backends: { name: string; databaseUrl: string }[], seconds: number) {
  const results = [];
  for (const backend of backends) {
    const db = await openStore(backend.databaseUrl);
    await seed(db);
    const api = await startApiProcess(backend.databaseUrl);
    try {
      await load(api.url, 1000, 3); // warm-up: JIT, connections, caches; not measured
      const at1000 = await load(api.url, 1000, seconds);
      const max = await load(api.url, undefined, seconds);
      const rollbackMs = await rollbackToResolver(api.url, 15);
      const feedback = await ingestion(api.url, db, 5000);
      results.push({
        backend: backend.name,
        resolveAt1000rps: { ...at1000, goal: 'p99 <= 5 ms at 1,000 requests/s' },
        resolveMaxThroughput: max,
        rollbackToResolverMs: {
          median: median(rollbackMs),
          max: Math.max(...rollbackMs),
          samples: rollbackMs.map((x) => Math.round(x)),
          goal: '<= 1000 ms',
        },
        feedbackIngestion: {
          ...feedback,
          lost: feedback.sent * 2 - feedback.runsStored - feedback.feedbackStored,
          goal: '0 lost',
        },
      });
    } finally {
      await api.stop();
      await db.close();
    }
  }
  return { name: 'library', results };
}
