import type { Client } from '@temporalio/client';
import { getResults } from '../../src/store/evals';
import type { FakeReply, RecordedRequest } from '../fakes/fake-server-core';
import { evalHarness, type EvalHarness } from '../support/eval-harness';
import { eventually, spawnWorkerProcess, testClient, uniqueId, withWorker } from '../support/temporal';

let client: Client;
let closeClient: () => Promise<void>;
const open: EvalHarness[] = [];
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => closeClient());

/** The fake answers "ANSWER(<q>)" for the question in the prompt, so assertions can be steered per case. */
const echo = (req: RecordedRequest): FakeReply => ({
  text: `ANSWER(${/Question: (.*)/.exec(req.text)?.[1] ?? ''})`,
  outputTokens: 10,
});
const cases = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    vars: { q: `q${i}` },
    assertions: [{ type: 'contains', value: `ANSWER(q${i})` }],
  }));

async function setup(
  answer: Parameters<typeof evalHarness>[0]['answer'] = echo,
  judge?: Parameters<typeof evalHarness>[0]['judge'],
  latencyMs?: number,
) {
  const h = await evalHarness({ answer, judge, latencyMs });
  open.push(h);
  const version = await h.prompt('qa', 'Question: {{q}}', true);
  return { h, version };
}

describe('evalRunWorkflow against fake providers', () => {
  test('runs every case, summarises, and an identical re-run sends 0 requests', async () => {
    const { h, version } = await setup();
    const ds = await h.dataset('qa-set', cases(30));
    const taskQueue = uniqueId('tq');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const first = await h.run(client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { chunkSize: 7, concurrency: 4 },
      });
      expect(first.result).toMatchObject({ status: 'completed', cases: 30, passed: 30, passRate: 1, fromCache: 0 });
      expect(first.result.perAssertion).toEqual([{ type: 'contains', passed: 30, failed: 0 }]);
      expect(first.result.estimate.calls).toBe(30);
      expect(h.anthropic.count()).toBe(30);

      const second = await h.run(client, taskQueue, { name: 'qa', version, dataset: 'qa-set', datasetVersion: ds });
      expect(second.result).toMatchObject({ passed: 30, fromCache: 30, costUsd: 0 });
      expect(h.anthropic.count()).toBe(30); // nothing new reached the provider

      const uncached = await h.run(client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { noCache: true },
      });
      expect(uncached.result.fromCache).toBe(0);
      expect(h.anthropic.count()).toBe(60);
    });
  });

  test('the concurrency is not capped by the chunk size: chunks overlap and every slot is used', async () => {
    // Each answer is held until 8 calls are in flight (or 2 s pass, so a failing run ends): with one chunk at a
    // time, a chunk of 3 cases could never have more than 3 calls open at once.
    let inFlight = 0;
    let maxInFlight = 0;
    const waiting: (() => void)[] = [];
    const { h, version } = await setup(async (req) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      if (inFlight >= 8) waiting.splice(0).forEach((go) => go());
      else await new Promise<void>((go) => (waiting.push(go), setTimeout(go, 2000)));
      inFlight--;
      return echo(req);
    });
    const ds = await h.dataset('qa-set', cases(24));
    const taskQueue = uniqueId('tq');
    const { result } = await withWorker(taskQueue, { db: h.db, providers: h.providers }, () =>
      h.run(client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { concurrency: 8, chunkSize: 3, parallelChunks: 1, noCache: true },
      }),
    );
    expect(result).toMatchObject({ status: 'completed', evaluated: 24, passed: 24 });
    expect(maxInFlight).toBe(8);
    expect(h.anthropic.count()).toBe(24);
  });

  test('concurrency adapts to 429 and every case still completes once', async () => {
    let throttled = 0;
    const { h, version } = await setup((req) =>
      ++throttled <= 6 ? { status: 429, errorType: 'rate_limit_error', retryAfterSeconds: 0 } : echo(req),
    );
    const ds = await h.dataset('qa-set', cases(20));
    const taskQueue = uniqueId('tq');
    const { result } = await withWorker(taskQueue, { db: h.db, providers: h.providers }, () =>
      h.run(client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { concurrency: 8 },
      }),
    );
    expect(result.passed).toBe(20);
    expect(h.anthropic.count()).toBe(26);
  });

  test('--max-cost stops the run with partial results; a resume finishes without redoing a case', async () => {
    // Each answer costs about $0.0015 at claude-sonnet-4-6 prices (100 in, 100 out tokens).
    const { h, version } = await setup((req) => ({ ...echo(req), inputTokens: 100, outputTokens: 100 }));
    const ds = await h.dataset('qa-set', cases(20));
    const taskQueue = uniqueId('tq');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const partial = await h.run(client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { concurrency: 1, chunkSize: 5, parallelChunks: 1, maxCostUsd: 0.005 },
      });
      expect(partial.result.status).toBe('budget-stopped');
      expect(partial.result.evaluated).toBeLessThan(20);
      expect(partial.result.costUsd).toBeGreaterThanOrEqual(0.005);
      expect(partial.result.gate?.failures.map((f) => f.cause)).toContain('missing-or-invalid');
      const sentBefore = h.anthropic.count();

      const resumed = await h.run(client, taskQueue, {
        runId: partial.runId,
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { concurrency: 4, noCache: true },
      });
      expect(resumed.result).toMatchObject({ status: 'completed', evaluated: 20, passed: 20 });
      expect(h.anthropic.count() - sentBefore).toBe(20 - partial.result.evaluated); // only the missing ones
      const asked = h.anthropic.requests.map((r) => /Question: (.*)/.exec(r.text)![1]);
      expect(new Set(asked).size).toBe(asked.length); // no case asked twice
    });
  });

  test('a worker SIGKILLed mid-run: the run completes and no case is evaluated twice', async () => {
    // After 15 answers the fake holds further answers until released, so the kill lands with calls in
    // flight and nothing half-delivered (an answer already in the dead process's socket buffer is the
    // one thing no system can keep; see the README).
    let answered = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { h, version } = await setup(async (req) => {
      if (++answered > 15) await held;
      return echo(req);
    });
    const ds = await h.dataset('qa-set', cases(60));
    const taskQueue = uniqueId('tq');
    const env = { ...h.workerEnv, REFINERY_TASK_QUEUE: taskQueue };
    const first = spawnWorkerProcess(env);
    let second: ReturnType<typeof spawnWorkerProcess> | undefined;
    try {
      const run = h.run(client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { concurrency: 4, chunkSize: 20, parallelChunks: 2, noCache: true },
      });
      await eventually(
        async () => {
          const row = await h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM eval_results');
          return Number(row?.n) >= 15 && h.anthropic.count() > 15;
        },
        60_000,
        '15 stored cases and calls in flight',
      );
      first.child.kill('SIGKILL');
      await first.exited;
      release();
      second = spawnWorkerProcess(env);
      const { runId, result } = await run;
      expect(result).toMatchObject({ status: 'completed', evaluated: 60, passed: 60 });
      expect(await getResults(h.db, runId)).toHaveLength(60);
      const asked = h.anthropic.requests.map((r) => /Question: (.*)/.exec(r.text)![1]);
      expect(asked.length).toBeGreaterThan(60); // calls in flight at the kill were asked again…
      const delivered = h.anthropic.requests.filter((r) => r.delivered).map((r) => /Question: (.*)/.exec(r.text)![1]);
      expect(delivered).toHaveLength(60); // …but every case was answered, and evaluated, exactly once
      expect(new Set(delivered).size).toBe(60);
    } finally {
      release();
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await second?.exited;
    }
  });
});
