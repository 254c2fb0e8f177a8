import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { DEFAULT_EVAL_SETTINGS } from '../../src/clients/eval';
import type { EvalRunInput } from '../../src/eval/types';
import { BATCH_PRICE_FACTOR, createBatchProvider, estimateCostUsd } from '../../src/providers';
import type { SubmittedBatch } from '../../src/activities/eval/batch';
import { getEvalBatch } from '../../src/store/eval-batches';
import { getResults, type StoredResult } from '../../src/store/evals';
import { batchPollDelayMs } from '../../src/eval/batch-wait-policy';
import type { FakeReply, RecordedRequest } from '../fakes/fake-server-core';
import { evalHarness, type EvalHarness } from '../support/eval-harness';
import { sharedTestEnv } from '../support/shared-env';
import { uniqueId } from '../support/temporal';
import { timeSkippingEnv } from '../support/time-skipping';
import { MARKER_KEY } from '../support/tune-harness';

// Batch mode end to end: the real workflow on the time-skipping server (its timers pass in no time), the real
// activities and SDKs, the fakes' batch endpoints. Every run uses --no-cache so a batch run cannot lean on the
// answers a per-call run of the same dataset left in the response cache.

const ANSWER_MODEL = 'claude-sonnet-4-6'; // what `auto` resolves the executor to on a worker with both keys
const RUBRIC_TAG = '[refinery:rubric]';

/** "ANSWER(<q>)" for the question in the prompt, 100 tokens each way, so every answer costs the same. */
const echo = (req: RecordedRequest): FakeReply => ({
  text: `ANSWER(${/Question: (.*)/.exec(req.text)?.[1] ?? ''})`,
  inputTokens: 100,
  outputTokens: 100,
});
/** Gemini judges rubrics and, when it is the model under test, answers like the echo. */
const judgeOrEcho = (req: RecordedRequest): FakeReply =>
  req.text.includes(RUBRIC_TAG) ? { text: '{"score": 80, "reason": "fine"}', outputTokens: 10 } : echo(req);

const cases = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    vars: { q: `q${i}` },
    // Every third case is also judged, so the judge runs on batch answers exactly as on per-call ones.
    assertions: [
      { type: 'contains', value: `ANSWER(q${i})` },
      ...(i % 3 === 0 ? [{ type: 'rubric', rubric: 'Is it the answer?' }] : []),
    ],
  }));

const question = (r: RecordedRequest) => /Question: (.*)/.exec(r.text)?.[1];
const isSingleCall = (path: string) => (r: RecordedRequest) => r.method === 'POST' && r.path === path;

/** A stored result without what legitimately differs between the paths: latency (a batch has none) and cost. */
const comparable = ({ latencyMs: _latency, costUsd: _cost, ...rest }: StoredResult) => rest;

/** Every string in a fetched history, payload bytes decoded: what a reader of the history could see. */
function historyTexts(history: unknown): string[] {
  const texts: string[] = [];
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) texts.push(Buffer.from(value).toString('utf8'));
    else if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(history);
  return texts;
}

interface HistoryEvent {
  childWorkflowExecutionStartedEventAttributes?: {
    workflowExecution?: { workflowId?: string | null; runId?: string | null } | null;
  } | null;
  workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } | null;
  timerStartedEventAttributes?: { startToFireTimeout?: { seconds?: unknown } | null } | null;
}

describe('evalRunWorkflow in batch mode', () => {
  let env: TestWorkflowEnvironment;
  const open: EvalHarness[] = [];
  beforeAll(async () => (env = await timeSkippingEnv()));
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  afterAll(() => env?.teardown());

  async function setup(judge?: (req: RecordedRequest) => FakeReply) {
    const h = await evalHarness({ answer: echo, judge });
    open.push(h);
    const version = await h.prompt('qa', 'Question: {{q}}', true);
    return { h, version };
  }

  /** Runs fn while a worker on the time-skipping server (shared bundle, real activities) polls a fresh queue. */
  async function withWorker<T>(h: EvalHarness, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = uniqueId('tq');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db: h.db, providers: h.providers }),
    });
    return worker.runUntil(fn(taskQueue));
  }

  /** The run's history and those of its batch-wait children (every run of each, along the continue-as-new chain). */
  async function history(runId: string): Promise<HistoryEvent[]> {
    const events = ((await env.client.workflow.getHandle(runId).fetchHistory()).events ?? []) as HistoryEvent[];
    for (const e of [...events]) {
      const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      for (let run = child?.runId; child?.workflowId && run;) {
        const h = ((await env.client.workflow.getHandle(child.workflowId, run).fetchHistory()).events ??
          []) as HistoryEvent[];
        events.push(...h);
        run = h[h.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      }
    }
    return events;
  }
  const activities = (events: HistoryEvent[], name: string) =>
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name).length;

  test('stores what the per-call run stores, at half the output price, after waiting on timers across polls', async () => {
    const { h, version } = await setup();
    const ds = await h.dataset('qa-set', cases(12));
    h.anthropic.setBatchBehaviour({ pollsBeforeEnd: 3 });
    const run = { name: 'qa', version, dataset: 'qa-set', datasetVersion: ds };

    const { perCall, batched } = await withWorker(h, async (taskQueue) => ({
      perCall: await h.run(env.client, taskQueue, { ...run, settings: { chunkSize: 5, noCache: true } }),
      batched: await h.run(env.client, taskQueue, { ...run, settings: { chunkSize: 5, noCache: true, batch: true } }),
    }));

    // The same verdicts, outputs, tokens, assertions and judge scores, case by case.
    const single = await getResults(h.db, perCall.runId);
    const fromBatch = await getResults(h.db, batched.runId);
    expect(single).toHaveLength(12);
    expect(fromBatch.map(comparable)).toEqual(single.map(comparable));
    expect(batched.result).toMatchObject({ status: 'completed', cases: 12, passed: 12, passRate: 1, fromCache: 0 });
    expect(batched.result.perAssertion).toEqual(perCall.result.perAssertion);
    expect(batched.result.judge).toEqual(perCall.result.judge);

    // Each output costs half its list price; the judge's calls still go one at a time, at list price.
    const saved = estimateCostUsd(ANSWER_MODEL, 100, 100) * (1 - BATCH_PRICE_FACTOR);
    fromBatch.forEach((r, i) => expect(r.costUsd).toBeCloseTo(single[i]!.costUsd - saved, 9));
    expect(fromBatch.every((r) => r.latencyMs === null)).toBe(true);
    // The summary rounds to a micro-dollar.
    expect(batched.result.costUsd).toBeCloseTo(perCall.result.costUsd - 12 * saved, 6);

    // The batch run asked Anthropic nothing one call at a time (the 12 single calls are the per-call run's):
    // three batches, one per chunk of 5, 5 and 2, carried all 12.
    expect(h.anthropic.requests.filter(isSingleCall('/v1/messages'))).toHaveLength(12);
    expect(h.anthropic.batches.map((b) => b.items.length).sort()).toEqual([2, 5, 5]);
    expect(h.anthropic.batchItems.map(question).sort()).toEqual(single.map((r) => r.caseId).sort());

    // Each batch was polled until it ended (3 polls in progress, then ended), on growing durable timers.
    for (const batch of h.anthropic.batches) {
      const polls = h.anthropic.requests.filter(
        (r) => r.method === 'GET' && r.path === `/v1/messages/batches/${batch.id}`,
      );
      expect(polls.length).toBeGreaterThanOrEqual(4);
      expect(batch.polls).toBe(3);
    }
    const events = await history(batched.runId);
    const timers = events.flatMap((e) =>
      e.timerStartedEventAttributes ? [Number(e.timerStartedEventAttributes.startToFireTimeout?.seconds)] : [],
    );
    expect(timers).toHaveLength(12); // 4 per chunk: 30 s, 60 s, 120 s, 240 s
    expect(timers.sort((a, b) => a - b)).toEqual([30, 30, 30, 60, 60, 60, 120, 120, 120, 240, 240, 240]);
    // ...growing to at most 10 minutes for batches that take hours.
    expect([4, 5, 6, 40].map(batchPollDelayMs)).toEqual([480_000, 600_000, 600_000, 600_000]);
    expect(activities(events, 'submitEvalBatch')).toBe(3);
    expect(activities(events, 'pollEvalBatch')).toBe(12);
    expect(activities(events, 'collectEvalBatch')).toBe(3);
    expect(activities(events, 'runEvalChunk')).toBe(0);

    // The key went to the provider, and nowhere into the workflow's history.
    const create = h.anthropic.requests.find((r) => r.path === '/v1/messages/batches');
    expect(JSON.stringify(create?.headers)).toContain(MARKER_KEY);
    const texts = historyTexts(await env.client.workflow.getHandle(batched.runId).fetchHistory());
    expect(texts.some((t) => t.includes('eval-batch:'))).toBe(true); // payloads were decoded: the batch keys show
    expect(texts.filter((t) => t.includes(MARKER_KEY))).toEqual([]);
  });

  test('items that errored or expired fall back to one single call each, at list price', async () => {
    const { h, version } = await setup();
    const ds = await h.dataset('qa-set', cases(8));
    h.anthropic.setBatchBehaviour({
      pollsBeforeEnd: 1,
      failItem: (req) => (question(req) === 'q4' ? 'errored' : question(req) === 'q5' ? 'expired' : undefined),
    });

    const { runId, result } = await withWorker(h, (taskQueue) =>
      h.run(env.client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { chunkSize: 8, noCache: true, batch: true },
      }),
    );

    expect(result).toMatchObject({ status: 'completed', evaluated: 8, passed: 8, errors: 0 });
    expect(h.anthropic.batchItems).toHaveLength(8);
    const singles = h.anthropic.requests.filter(isSingleCall('/v1/messages'));
    expect(singles.map(question).sort()).toEqual(['q4', 'q5']);
    const listPrice = estimateCostUsd(ANSWER_MODEL, 100, 100);
    for (const r of await getResults(h.db, runId)) {
      if (r.judgeScore !== null) continue; // judged: their cost includes the judge's call
      const fellBack = r.caseId === 'q4' || r.caseId === 'q5';
      expect(r.costUsd).toBeCloseTo(fellBack ? listPrice : listPrice * BATCH_PRICE_FACTOR, 9);
      expect(r.latencyMs === null).toBe(!fellBack);
    }
  });

  test('a poll outage costs polls, not the batch already paid for', async () => {
    const { h, version } = await setup();
    const ds = await h.dataset('qa-set', cases(4));
    // Five 503s exhaust the first poll's attempts; the next poll's third attempt gets through.
    h.anthropic.setBatchBehaviour({ unavailablePolls: 7 });

    const { runId, result } = await withWorker(h, (taskQueue) =>
      h.run(env.client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { noCache: true, batch: true },
      }),
    );

    expect(result).toMatchObject({ status: 'completed', evaluated: 4, passed: 4 });
    expect(h.anthropic.requests.filter(isSingleCall('/v1/messages'))).toHaveLength(0);
    expect((await getResults(h.db, runId)).every((r) => r.latencyMs === null)).toBe(true);
    const events = await history(runId);
    // 7 refused polls (5 attempts of the first poll, 2 of the second), the one that got through, and the SDK's own
    // retrieve before it downloads the results.
    const [batch] = h.anthropic.batches;
    expect(h.anthropic.requests.filter((r) => r.path === `/v1/messages/batches/${batch!.id}`)).toHaveLength(9);
    expect(activities(events, 'pollEvalBatch')).toBe(2);
    expect(activities(events, 'collectEvalBatch')).toBe(1);
    expect(activities(events, 'runEvalChunk')).toBe(0);
  });

  test('Gemini as the model under test: inlined batch answers match the per-call run', async () => {
    const { h, version } = await setup(judgeOrEcho);
    const ds = await h.dataset('qa-set', cases(6));
    h.gemini.setBatchBehaviour({ pollsBeforeEnd: 2 });
    const settings = { provider: 'gemini' as const, model: 'gemini-2.5-flash', noCache: true };
    const run = { name: 'qa', version, dataset: 'qa-set', datasetVersion: ds };

    const { perCall, batched } = await withWorker(h, async (taskQueue) => ({
      perCall: await h.run(env.client, taskQueue, { ...run, settings }),
      batched: await h.run(env.client, taskQueue, { ...run, settings: { ...settings, batch: true } }),
    }));

    const single = await getResults(h.db, perCall.runId);
    const fromBatch = await getResults(h.db, batched.runId);
    expect(fromBatch.map(comparable)).toEqual(single.map(comparable));
    expect(batched.result).toMatchObject({ passed: 6, passRate: 1 });
    const saved = estimateCostUsd('gemini-2.5-flash', 100, 100) * (1 - BATCH_PRICE_FACTOR);
    fromBatch.forEach((r, i) => expect(r.costUsd).toBeCloseTo(single[i]!.costUsd - saved, 9));
    expect(h.gemini.batches).toHaveLength(1);
    expect(h.gemini.batches[0]!.polls).toBe(2);
    expect(h.gemini.batchItems.map(question)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5']);
    expect(h.anthropic.count()).toBe(0);
  });

  test('a resumed run batches only the cases not yet stored', async () => {
    const { h, version } = await setup();
    const ds = await h.dataset(
      'qa-set',
      cases(20).map((c) => ({ ...c, assertions: c.assertions.slice(0, 1) })),
    );
    const run = { name: 'qa', version, dataset: 'qa-set', datasetVersion: ds };

    await withWorker(h, async (taskQueue) => {
      // Per call, stopped by the budget part-way: about a third of the cases are stored.
      const partial = await h.run(env.client, taskQueue, {
        ...run,
        settings: { concurrency: 1, chunkSize: 5, parallelChunks: 1, maxCostUsd: 0.005, noCache: true },
      });
      expect(partial.result.status).toBe('budget-stopped');
      const stored = (await getResults(h.db, partial.runId)).map((r) => r.caseId);
      expect(stored.length).toBeGreaterThan(0);

      const resumed = await h.run(env.client, taskQueue, {
        ...run,
        runId: partial.runId,
        settings: { chunkSize: 5, noCache: true, batch: true },
      });
      expect(resumed.result).toMatchObject({ status: 'completed', evaluated: 20, passed: 20 });
      const batched = h.anthropic.batchItems.map(question) as string[];
      expect(batched).toHaveLength(20 - stored.length);
      expect(batched.filter((q) => stored.includes(q))).toEqual([]);
    });
  });

  test('a retried submit returns the batch it stored instead of submitting another', async () => {
    const { h, version } = await setup();
    const ds = await h.dataset('qa-set', cases(4));
    const input: EvalRunInput = {
      runId: uniqueId('eval'),
      target: { name: 'qa', version },
      dataset: { name: 'qa-set', version: ds },
      settings: { ...DEFAULT_EVAL_SETTINGS, batch: true },
    };
    const acts = createActivities({ db: h.db, providers: h.providers });
    const activityEnv = new MockActivityEnvironment();

    const submit = (p: { input: EvalRunInput; chunk: number }) => acts.submitEvalBatch(p);
    const first = await activityEnv.run(submit, { input, chunk: 0 });
    const retried = await activityEnv.run(submit, { input, chunk: 0 });

    expect(first).toMatchObject({ items: 4, batchId: expect.stringMatching(/^msgbatch_/) });
    expect(retried).toEqual(first);
    expect(h.anthropic.batches).toHaveLength(1);
  });

  test('a batch that never ends: the wait continues as new every 100 polls, each run far under 10,000 events', async () => {
    const { h, version } = await setup();
    const ds = await h.dataset('qa-set', cases(2));
    h.anthropic.setBatchBehaviour({ pollsBeforeEnd: 1_000_000 });

    const { runId, result } = await withWorker(h, (taskQueue) =>
      h.run(env.client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { noCache: true, batch: true },
      }),
    );

    // 50 hours of polls (30 s doubling to 10 min: 5 growing delays, then 299 at 10 minutes), then per call.
    expect(result).toMatchObject({ status: 'completed', evaluated: 2, passed: 2 });
    expect(h.anthropic.requests.filter(isSingleCall('/v1/messages'))).toHaveLength(2);
    const parent = ((await env.client.workflow.getHandle(runId).fetchHistory()).events ?? []) as HistoryEvent[];
    const child = parent.find((e) => e.childWorkflowExecutionStartedEventAttributes)!
      .childWorkflowExecutionStartedEventAttributes!.workflowExecution!;
    const runs: HistoryEvent[][] = [];
    for (let run = child.runId; run;) {
      const events = ((await env.client.workflow.getHandle(child.workflowId!, run).fetchHistory()).events ??
        []) as HistoryEvent[];
      runs.push(events);
      run = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    }
    expect(runs.map((events) => activities(events, 'pollEvalBatch'))).toEqual([100, 100, 100, 4]);
    expect(Math.max(...runs.map((events) => events.length))).toBeLessThan(2_000);
    // The eval run itself grows with its chunks, not with the hours its batches take.
    expect(parent.length).toBeLessThan(100);
  });

  describe('a batch created by an attempt that never heard its id', () => {
    /** The activities on the harness, run as a retried attempt would run them. */
    function activitiesOf(h: EvalHarness, input: EvalRunInput) {
      const acts = createActivities({ db: h.db, providers: h.providers });
      const activityEnv = new MockActivityEnvironment();
      const submit = (p: { input: EvalRunInput; chunk: number }) => acts.submitEvalBatch(p);
      const poll = (p: { batchKey: string }) => acts.pollEvalBatch(p);
      const collect = (p: { input: EvalRunInput; chunk: number; batchKey: string }) => acts.collectEvalBatch(p);
      return {
        submit: (chunk: number) =>
          activityEnv.run<[{ input: EvalRunInput; chunk: number }], SubmittedBatch | null, typeof submit>(submit, {
            input,
            chunk,
          }),
        poll: (batchKey: string) => activityEnv.run(poll, { batchKey }),
        collect: (chunk: number, batchKey: string) => activityEnv.run(collect, { input, chunk, batchKey }),
      };
    }
    const evalInput = (
      h: EvalHarness,
      version: number,
      ds: number,
      settings: Partial<EvalRunInput['settings']> = {},
    ): EvalRunInput => ({
      runId: uniqueId('eval'),
      target: { name: 'qa', version },
      dataset: { name: 'qa-set', version: ds },
      settings: { ...DEFAULT_EVAL_SETTINGS, noCache: true, batch: true, ...settings },
    });
    /** Cuts the connection of the first `n` creates after the fake accepted them (the caller never hears the id). */
    const dropFirst = (n: number) => {
      let left = n;
      return () => (left-- > 0 ? ('drop' as const) : undefined);
    };
    /** Another client of the same key makes a batch of `n` items at the same time. */
    const foreignBatch = (h: EvalHarness, provider: 'anthropic' | 'gemini', model: string, n: number) =>
      createBatchProvider(provider, h.providers[provider]).submit(
        model,
        Array.from({ length: n }, (_, i) => ({
          customId: `other-${i}`,
          request: { prompt: `other ${i}`, maxTokens: 10 },
        })),
        { displayName: 'someone else' },
      );

    test('Anthropic: the retry adopts the batch from the list and its answers are collected, one create in all', async () => {
      const { h, version } = await setup();
      const ds = await h.dataset('qa-set', cases(4));
      h.anthropic.setBatchBehaviour({ pollsBeforeEnd: 0, afterAccept: dropFirst(1) });
      const input = evalInput(h, version, ds);
      const acts = activitiesOf(h, input);

      await expect(acts.submit(0)).rejects.toThrow();
      expect(h.anthropic.batches).toHaveLength(1);
      const ours = h.anthropic.batches[0]!;
      // Newer than ours and of the same size: the list shows it first, only its results tell it apart.
      await foreignBatch(h, 'anthropic', ANSWER_MODEL, 4);

      const retried = await acts.submit(0);
      expect(retried).toMatchObject({ batchId: ours.id, items: 4 });
      expect(h.anthropic.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages/batches')).toHaveLength(
        2, // ours and the foreign one: the retry created nothing
      );
      const row = await getEvalBatch(h.db, retried!.batchKey);
      expect(row).toMatchObject({ batchId: ours.id, foundBy: 'adopted' });
      // The chunk's ids carry its marker, which is how the results were matched.
      expect(ours.items.every((i) => i.customId.startsWith(`${row!.marker}-`))).toBe(true);

      expect(await acts.poll(retried!.batchKey)).toMatchObject({ ended: true });
      const chunk = await acts.collect(0, retried!.batchKey);
      expect(chunk).toMatchObject({ evaluated: 4 });
      const results = await getResults(h.db, input.runId);
      expect(results.map((r) => [r.caseId, r.status, r.latencyMs])).toEqual(
        ['q0', 'q1', 'q2', 'q3'].map((q) => [q, 'pass', null]),
      );
      expect(h.anthropic.requests.filter(isSingleCall('/v1/messages'))).toHaveLength(0);
    });

    test('Anthropic: two chunks lost at once wait, undecided, until their batches end and their ids show', async () => {
      const { h, version } = await setup();
      const ds = await h.dataset('qa-set', cases(4));
      h.anthropic.setBatchBehaviour({ pollsBeforeEnd: 1000, afterAccept: dropFirst(2) });
      const input = evalInput(h, version, ds, { chunkSize: 2 });
      const acts = activitiesOf(h, input);

      await expect(acts.submit(0)).rejects.toThrow();
      await expect(acts.submit(1)).rejects.toThrow();
      const [first, second] = h.anthropic.batches;
      // Both in progress, both of two items: the list cannot say which is whose.
      const retried = [await acts.submit(0), await acts.submit(1)];
      expect(retried.map((r) => r?.batchId)).toEqual([null, null]);
      expect(await acts.poll(retried[0]!.batchKey)).toMatchObject({ ended: false });

      h.anthropic.setBatchBehaviour({ pollsBeforeEnd: 0 });
      expect(await acts.poll(retried[1]!.batchKey)).toMatchObject({ ended: true });
      expect(await acts.poll(retried[0]!.batchKey)).toMatchObject({ ended: true });
      const rows = await Promise.all(retried.map((r) => getEvalBatch(h.db, r!.batchKey)));
      expect(rows.map((r) => [r?.batchId, r?.foundBy])).toEqual([
        [first!.id, 'adopted'],
        [second!.id, 'adopted'],
      ]);
      expect(h.anthropic.batches).toHaveLength(2);
    });

    test('Gemini: the retry finds the batch by its display name, whatever its state', async () => {
      const { h, version } = await setup(judgeOrEcho);
      const ds = await h.dataset('qa-set', cases(3));
      h.gemini.setBatchBehaviour({ pollsBeforeEnd: 2, afterAccept: dropFirst(1) });
      const input = evalInput(h, version, ds, { provider: 'gemini', model: 'gemini-2.5-flash' });
      const acts = activitiesOf(h, input);

      await expect(acts.submit(0)).rejects.toThrow();
      const ours = h.gemini.batches[0]!;
      await foreignBatch(h, 'gemini', 'gemini-2.5-flash', 3);

      const retried = await acts.submit(0);
      expect(retried).toMatchObject({ batchId: ours.id, items: 3 });
      expect(ours.displayName).toContain((await getEvalBatch(h.db, retried!.batchKey))!.marker);
      expect(h.gemini.requests.filter((r) => r.method === 'GET' && /\/batches$/.test(r.path)).length).toBeGreaterThan(
        0,
      );
      expect(h.gemini.batches).toHaveLength(2);
    });

    test('a retry whose first attempt never reached the provider submits once', async () => {
      const { h, version } = await setup();
      const ds = await h.dataset('qa-set', cases(2));
      const input = evalInput(h, version, ds);
      const acts = activitiesOf(h, input);
      // The first create is refused before anything is accepted; the intent is on record all the same.
      h.anthropic.setBatchBehaviour({ unavailableCreates: 1 });
      await expect(acts.submit(0)).rejects.toThrow();
      expect(h.anthropic.batches).toHaveLength(0);

      const retried = await acts.submit(0);
      expect(h.anthropic.batches).toHaveLength(1);
      expect(await getEvalBatch(h.db, retried!.batchKey)).toMatchObject({
        batchId: h.anthropic.batches[0]!.id,
        foundBy: 'submitted',
      });
    });
  });

  test('the offline provider ignores batch mode and runs per call', async () => {
    const { h, version } = await setup();
    const ds = await h.dataset('qa-set', cases(3));
    const { runId, result } = await withWorker(h, (taskQueue) =>
      h.run(env.client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { provider: 'offline', model: 'simulation', judgeProvider: 'offline', batch: true },
      }),
    );
    expect(result).toMatchObject({ status: 'completed', evaluated: 3 });
    const events = await history(runId);
    expect(activities(events, 'runEvalChunk')).toBe(1);
    expect(activities(events, 'pollEvalBatch')).toBe(0);
    expect(h.anthropic.count() + h.gemini.count()).toBe(0);
  });
});
