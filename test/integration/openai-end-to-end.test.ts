import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { BATCH_PRICE_FACTOR, estimateCostUsd } from '../../src/providers';
import { roleOf } from '../../src/tune/role-prompts';
import { getResults } from '../../src/store/evals';
import { startFakeOpenAI } from '../fakes/fake-openai';
import type { FakeReply, FakeServer, RecordedRequest } from '../fakes/fake-server-core';
import { runCli } from '../support/cli';
import { evalHarness, type EvalHarness } from '../support/eval-harness';
import { sharedTestEnv } from '../support/shared-env';
import { testClient, uniqueId, withWorker } from '../support/temporal';
import { timeSkippingEnv } from '../support/time-skipping';
import {
  appendImprovement,
  judgeIteration,
  judgeJson,
  MARKER_KEY,
  tuneHarness,
  type TuneHarness,
} from '../support/tune-harness';

// A tune, an eval with its gate, and a batch eval, end to end with `openai:` models: the real workflows and
// activities, the official OpenAI SDK, and the wire-compatible fake OpenAI server. The Anthropic and Gemini fakes
// of the harnesses stay up but must see nothing.

const RUBRIC_TAG = '[refinery:rubric]';
const OUTPUT_MODEL = 'gpt-4.1-mini';
const JUDGE_MODEL = 'gpt-4o-mini';

/** The worker's providers with OpenAI only: ANTHROPIC_API_KEY and GEMINI_API_KEY unset. */
const openaiOnly = (openai: FakeServer) => ({
  provider: 'auto' as const,
  anthropic: {},
  gemini: {},
  openai: { apiKey: MARKER_KEY, baseUrl: openai.baseUrl },
});
const chatCalls = (fake: FakeServer) => fake.requests.filter((r) => r.path === '/v1/chat/completions');

describe('a tune with openai: models', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let h: TuneHarness;
  let openai: FakeServer;
  beforeAll(async () => ({ client, close: closeClient } = await testClient()));
  afterAll(async () => {
    await h?.close();
    await openai?.close();
    await closeClient();
  });

  test('executes, judges and improves through Chat Completions; auto resolves to openai as the only key', async () => {
    const scores = [60, 85];
    h = await tuneHarness({ judge: () => ({ text: 'unused' }) });
    openai = await startFakeOpenAI({
      respond: async (req: RecordedRequest): Promise<FakeReply> => {
        const role = roleOf(/\[refinery:(executor|judge|improver)\]/.exec(req.text)?.[0]);
        if (role === 'judge') return { text: judgeJson(scores[(await judgeIteration(h.db)) - 1] ?? 85) };
        if (role === 'improver') return appendImprovement(req);
        return { text: `artifact for ${/<scenario>\n([^\n]*)/.exec(req.text)?.[1] ?? ''}` };
      },
    });
    const taskQueue = uniqueId('tq');
    const dir = h.makeSkill('demo');
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');

    const status = await withWorker(taskQueue, { db: h.db, providers: openaiOnly(openai) }, async () => {
      const [run] = await h.start(
        [dir],
        { threshold: '80', 'max-iterations': '4', executor: `openai:${OUTPUT_MODEL}` },
        client,
        taskQueue,
      );
      return h.finish(run!.handle);
    });

    expect(status.termination).toBe('threshold-met');
    expect(status.scores).toEqual([60, 85]);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(`${before}\n- improvement 1`);
    const calls = chatCalls(openai);
    const byRole = (role: string) => calls.filter((r) => r.text.includes(`[refinery:${role}]`));
    expect(byRole('executor').map((r) => r.model)).toEqual([OUTPUT_MODEL, OUTPUT_MODEL]);
    // `auto` with only OPENAI_API_KEY set: the judge and the improver are OpenAI's default model.
    expect(byRole('judge').map((r) => r.model)).toEqual(['gpt-4.1', 'gpt-4.1']);
    expect(byRole('improver').map((r) => r.model)).toEqual(['gpt-4.1']);
    // The judge and improver ask for JSON, through response_format.
    expect(byRole('judge')[0]?.body).toMatchObject({ response_format: { type: 'json_object' } });
    expect(h.anthropic.count() + h.gemini.count()).toBe(0);
    // Tokens and cost of every call are recorded at OpenAI prices.
    const recorded = await h.db.all<{ provider: string; model: string; cost_usd: number }>(
      'SELECT provider, model, cost_usd FROM provider_calls WHERE run_id = ?',
      [status.runId],
    );
    expect(recorded.length).toBe(calls.length);
    expect(recorded.every((r) => r.provider === 'openai' && r.cost_usd > 0)).toBe(true);
  });
});

describe('refinery eval --gate with openai: models', () => {
  const open: Array<{ h: EvalHarness; openai: FakeServer }> = [];
  afterEach(async () => {
    for (const { h, openai } of open.splice(0)) {
      await h.close();
      await openai.close();
    }
  });

  /** Answers ANSWER(<q>) except for the broken questions; judges rubrics with 80. */
  async function setup(broken: string[] = []) {
    const h = await evalHarness({ answer: () => ({ text: 'unused' }) });
    const openai = await startFakeOpenAI({
      respond: (req) => {
        if (req.text.includes(RUBRIC_TAG)) return { text: '{"score": 80, "reason": "fine"}' };
        const q = /Question: (\S+)/.exec(req.text)?.[1] ?? '';
        return { text: broken.includes(q) ? 'no idea' : `ANSWER(${q})`, inputTokens: 100, outputTokens: 100 };
      },
    });
    open.push({ h, openai });
    await h.prompt('qa', 'Question: {{q}}', true);
    const file = path.join(h.dir, 'cases.jsonl');
    const lines = ['a', 'b', 'c'].map((id) => ({
      id,
      vars: { q: id },
      assertions: [
        { type: 'contains', value: `ANSWER(${id})` },
        ...(id === 'a' ? [{ type: 'rubric', rubric: 'Is it an answer?' }] : []),
      ],
      required: id === 'b',
    }));
    fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const taskQueue = uniqueId('tq');
    const env = {
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_DATABASE_URL: h.dbUrl,
      REFINERY_USER: 'ana',
    };
    expect((await runCli(['dataset', 'add', 'qa-set', file, '--for', 'qa'], env)).code).toBe(0);
    return { h, openai, env, taskQueue };
  }

  const evalArgs = ['eval', 'qa', '--model', `openai:${OUTPUT_MODEL}`, '--judge', `openai:${JUDGE_MODEL}`, '--gate'];

  test('a passing gate exits 0, every call answered by the OpenAI server at its models', async () => {
    const { h, openai, env, taskQueue } = await setup();
    const r = await withWorker(taskQueue, { db: h.db, providers: openaiOnly(openai) }, () =>
      runCli([...evalArgs, '--output', 'json'], env),
    );

    expect(r.code).toBe(0);
    const json = JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1));
    expect(json).toMatchObject({ status: 'completed', cases: 3, passed: 3, gate: { passed: true } });
    expect(json.judge).toMatchObject({ mean: 80, samples: 1 });
    const calls = chatCalls(openai);
    expect(calls.filter((c) => !c.text.includes(RUBRIC_TAG)).map((c) => c.model)).toEqual([
      OUTPUT_MODEL,
      OUTPUT_MODEL,
      OUTPUT_MODEL,
    ]);
    expect(calls.filter((c) => c.text.includes(RUBRIC_TAG)).map((c) => c.model)).toEqual([JUDGE_MODEL]);
    // The rubric judge asks for its verdict's shape as strict structured output.
    expect(calls.find((c) => c.text.includes(RUBRIC_TAG))?.body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'rubric_verdict', strict: true } },
    });
    expect(h.anthropic.count() + h.gemini.count()).toBe(0);
    const results = await getResults(h.db, json.runId);
    expect(results.find((x) => x.caseId === 'b')?.costUsd).toBeCloseTo(estimateCostUsd(OUTPUT_MODEL, 100, 100), 9);
    expect(r.out).not.toContain(MARKER_KEY);
  });

  test('a required case failing on the OpenAI model fails the gate with exit 100', async () => {
    const { h, openai, env, taskQueue } = await setup(['b']);
    const r = await withWorker(taskQueue, { db: h.db, providers: openaiOnly(openai) }, () =>
      runCli([...evalArgs, '--output', 'json'], env),
    );

    expect(r.code).toBe(100);
    const json = JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1));
    expect(json.gate.passed).toBe(false);
    expect(json.gate.failures.map((f: { cause: string }) => f.cause)).toContain('required-case-failed');
  });
});

describe('the OpenAI key stays out of what Refinery keeps', () => {
  let client: Client;
  let closeClient: () => Promise<void>;
  let h: EvalHarness;
  let openai: FakeServer;
  beforeAll(async () => ({ client, close: closeClient } = await testClient()));
  afterAll(async () => {
    await h?.close();
    await openai?.close();
    await closeClient();
  });

  test('a provider error that echoes the Authorization header reaches neither history nor the stored results', async () => {
    h = await evalHarness({ answer: () => ({ text: 'unused' }) });
    // The server echoes the request's headers, bearer key included, in its error message.
    openai = await startFakeOpenAI({
      respond: (req) =>
        req.text.includes('LEAK')
          ? { status: 400, message: `refused, headers ${JSON.stringify(req.headers)}` }
          : { text: `ANSWER(${/Question: (\S+)/.exec(req.text)?.[1] ?? ''})` },
    });
    const version = await h.prompt('qa', 'Question: {{q}}', true);
    const ds = await h.dataset(
      'qa-set',
      ['alpha', 'LEAK'].map((q) => ({
        id: q.toLowerCase(),
        vars: { q },
        assertions: [{ type: 'contains', value: q }],
      })),
    );
    const taskQueue = uniqueId('tq');
    const { runId, result } = await withWorker(taskQueue, { db: h.db, providers: openaiOnly(openai) }, () =>
      h.run(client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { provider: 'openai', model: OUTPUT_MODEL, judgeProvider: 'openai', judgeModel: JUDGE_MODEL },
      }),
    );

    expect(result).toMatchObject({ cases: 2, passed: 1 });
    expect(openai.requests.some((r) => r.headers.authorization === `Bearer ${MARKER_KEY}`)).toBe(true);
    const stored = JSON.stringify(await getResults(h.db, runId));
    expect(stored).toContain('rejected the request to model gpt-4.1-mini as invalid (400)');
    const history = JSON.stringify(await client.workflow.getHandle(runId).fetchHistory(), (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v,
    );
    for (const text of [stored, history]) {
      expect(text).not.toContain(MARKER_KEY);
      expect(text).not.toMatch(/Bearer sk-/);
    }
  });
});

describe('refinery eval --batch with an openai: model', () => {
  let env: TestWorkflowEnvironment;
  let h: EvalHarness;
  let openai: FakeServer;
  beforeAll(async () => (env = await timeSkippingEnv()));
  afterAll(async () => {
    await h?.close();
    await openai?.close();
    await env?.teardown();
  });

  test('sends the outputs through the OpenAI Batch API at half price and stores what the per-call run stores', async () => {
    h = await evalHarness({ answer: () => ({ text: 'unused' }) });
    openai = await startFakeOpenAI({
      respond: (req) =>
        req.text.includes(RUBRIC_TAG)
          ? { text: '{"score": 80, "reason": "fine"}', outputTokens: 10 }
          : { text: `ANSWER(${/Question: (.*)/.exec(req.text)?.[1] ?? ''})`, inputTokens: 100, outputTokens: 100 },
      batches: { pollsBeforeEnd: 2 },
    });
    const version = await h.prompt('qa', 'Question: {{q}}', true);
    const ds = await h.dataset(
      'qa-set',
      Array.from({ length: 7 }, (_, i) => ({
        id: `q${i}`,
        vars: { q: `q${i}` },
        assertions: [
          { type: 'contains', value: `ANSWER(q${i})` },
          ...(i % 3 === 0 ? [{ type: 'rubric', rubric: 'Is it the answer?' }] : []),
        ],
      })),
    );
    const taskQueue = uniqueId('tq');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db: h.db, providers: openaiOnly(openai) }),
    });
    const settings = {
      provider: 'openai' as const,
      model: OUTPUT_MODEL,
      judgeProvider: 'openai' as const,
      judgeModel: JUDGE_MODEL,
      chunkSize: 4,
      noCache: true,
    };
    const run = { name: 'qa', version, dataset: 'qa-set', datasetVersion: ds };
    const { perCall, batched } = await worker.runUntil(async () => ({
      perCall: await h.run(env.client, taskQueue, { ...run, settings }),
      batched: await h.run(env.client, taskQueue, { ...run, settings: { ...settings, batch: true } }),
    }));

    expect(batched.result).toMatchObject({ status: 'completed', cases: 7, passed: 7, passRate: 1 });
    expect(batched.result.judge).toEqual(perCall.result.judge);
    // Two batches (chunks of 4 and 3) carried every output; the judge still calls one at a time.
    expect(openai.batches.map((b) => b.items.length).sort()).toEqual([3, 4]);
    expect(openai.batches.every((b) => b.model === OUTPUT_MODEL)).toBe(true);
    const single = await getResults(h.db, perCall.runId);
    const fromBatch = await getResults(h.db, batched.runId);
    const saved = estimateCostUsd(OUTPUT_MODEL, 100, 100) * (1 - BATCH_PRICE_FACTOR);
    fromBatch.forEach((r, i) => {
      expect(r.output).toBe(single[i]!.output);
      expect(r.costUsd).toBeCloseTo(single[i]!.costUsd - saved, 9);
    });
    expect(h.anthropic.count() + h.gemini.count()).toBe(0);
  });
});
