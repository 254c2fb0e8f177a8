import type { Client } from '@temporalio/client';
import { noSkillContent, storeCandidate } from '../../src/activities/optimize/evaluate';
import type { EvalCase } from '../../src/eval/types';
import type { LibraryContent } from '../../src/library/content';
import type { EvaluateCandidateInput, EvalModels } from '../../src/optimizer/activity-types';
import { loadCaseEvidence } from '../../src/optimizer/candidate-result-store';
import type { CandidateRef, EvaluateResponse } from '../../src/optimizer/types';
import { getJson } from '../../src/store/blobs';
import type { Db } from '../../src/store/db';
import { addDatasetVersion } from '../../src/store/evals';
import { openStore } from '../../src/store/open';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeGemini } from '../fakes/fake-gemini';
import type { FakeReply, FakeServer, RecordedRequest, Responder } from '../fakes/fake-server-core';
import type { EvaluateOnlyOptions } from '../support/optimize/evaluate-workflows';
import {
  evaluateBundle,
  spawnEvaluateWorker,
  startEvaluateWorker,
  type ProviderEnv,
} from '../support/optimize/evaluate-worker';
import { describeEachStore } from '../support/store-backends';
import { eventually, testClient, uniqueId } from '../support/temporal';
import { MARKER_KEY } from '../support/tune-harness';

// The optimizer's evaluate activity on a real worker and the real dev server, the real SDKs against the fakes,
// which count every request: nothing stored is ever asked of a provider again.

let client: Client;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ client, close } = await testClient());
  await evaluateBundle();
});
afterAll(() => close());

const models: EvalModels = {
  executor: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
  judge: { provider: 'gemini', model: 'gemini-2.5-flash' },
  maxOutputTokens: 512,
};

/** "ANSWER(<q>)" for the question in the prompt, 100 tokens each way. */
const echo = (req: RecordedRequest): FakeReply => ({
  text: `ANSWER(${/Question: (\S*)/.exec(req.text)?.[1] ?? ''})`,
  inputTokens: 100,
  outputTokens: 100,
});
const verdict: FakeReply = { text: '{"score": 80, "reason": "clear and correct"}' };

const checked = (id: string): Partial<EvalCase> => ({
  id,
  vars: { q: id },
  assertions: [{ type: 'contains', value: `ANSWER(${id})` }],
});
const judged = (id: string): Partial<EvalCase> => ({
  id,
  vars: { q: id },
  assertions: [{ type: 'rubric', rubric: 'answers the question' }],
});
const full = (c: Partial<EvalCase>): EvalCase => ({
  id: c.id!,
  vars: c.vars!,
  assertions: c.assertions!,
  tags: [],
  required: false,
});
const prompt = (prefix: string): LibraryContent => ({
  type: 'text',
  text: `${prefix} Question: {{q}}`,
  variables: ['q'],
});

/** Two fakes whose behaviour a test can swap, and the provider settings pointing at them. */
async function fakes(): Promise<{
  anthropic: FakeServer;
  gemini: FakeServer;
  providers: ProviderEnv;
  answer: { fn: Responder };
  judge: { fn: Responder };
}> {
  const answer = { fn: echo as Responder };
  const judge = { fn: (() => verdict) as Responder };
  const anthropic = await startFakeAnthropic({ respond: (r) => answer.fn(r) });
  const gemini = await startFakeGemini({ respond: (r) => judge.fn(r) });
  return {
    anthropic,
    gemini,
    answer,
    judge,
    providers: {
      anthropic: { apiKey: MARKER_KEY, baseUrl: anthropic.baseUrl },
      gemini: { apiKey: MARKER_KEY, baseUrl: gemini.baseUrl },
    },
  };
}

const completions = (f: FakeServer, marker: string) =>
  f.requests.filter((r) => r.method === 'POST' && r.text.includes(marker) && r.model !== undefined);

async function runEvaluation(
  taskQueue: string,
  input: EvaluateCandidateInput,
  options: Partial<EvaluateOnlyOptions> = {},
): Promise<EvaluateResponse> {
  return client.workflow.execute('evaluateOnlyWorkflow', {
    taskQueue,
    workflowId: uniqueId('evaluate'),
    args: [input, { startToCloseTimeoutMs: 60_000, heartbeatTimeoutMs: 10_000, maximumAttempts: 3, ...options }],
  });
}

describeEachStore('evaluateCandidate (real worker, real SDKs against the fakes)', (backend) => {
  let db: Db;
  let f: Awaited<ReturnType<typeof fakes>>;
  let worker: { stop(): Promise<void> };
  const taskQueue = uniqueId('tq-evaluate');
  const ids = ['q0', 'q1', 'q2', 'q3', 'j0', 'j1'];
  let dataset: { name: string; version: number };

  beforeAll(async () => {
    db = await backend.open();
    f = await fakes();
    const cases = [...['q0', 'q1', 'q2', 'q3'].map(checked), ...['j0', 'j1'].map(judged)].map(full);
    const v = await addDatasetVersion(db, { name: 'qa', cases, source: 'test', author: 'ana' });
    dataset = { name: 'qa', version: v.version };
    worker = await startEvaluateWorker(taskQueue, db, f.providers);
  });
  afterAll(async () => {
    await worker?.stop();
    await f?.anthropic.close();
    await f?.gemini.close();
  });

  const input = (candidate: CandidateRef, caseIds: string[], samples: number): EvaluateCandidateInput => ({
    runId: 'opt-run-1',
    dataset,
    models,
    candidate,
    caseIds,
    samples,
    purpose: 'validation',
  });

  test('a second evaluation of the same candidate and cases pays nothing, even with the response cache emptied', async () => {
    const a = await storeCandidate(db, prompt('A.'));
    const first = await runEvaluation(taskQueue, input(a, ids, 2));
    // 4 checked cases × 1 sample + 2 judged cases × 2 samples = 8 answers, and 4 verdicts.
    expect(first.spent.calls).toBe(12);
    expect(first.spent.usd).toBeGreaterThan(0);
    expect(completions(f.anthropic, 'A. Question')).toHaveLength(8);
    expect(completions(f.gemini, 'A. Question')).toHaveLength(4);
    expect(first).toMatchObject({
      scores: { q0: 1, q1: 1, q2: 1, q3: 1, j0: 0.8, j1: 0.8 },
      passed: { q0: true, q1: true, q2: true, q3: true, j0: true, j1: true },
      failures: 0,
      // The executor's answers alone (100 in, 100 out each), not the judge's tokens.
      tokens: 8 * 200,
    });

    // Only the stored results stand between a second evaluation and the provider now.
    await db.run('DELETE FROM response_cache');
    const seen = f.anthropic.requests.length + f.gemini.requests.length;
    const again = await runEvaluation(taskQueue, input(a, ids, 2));
    expect(again).toEqual({ ...first, spent: { calls: 0, usd: 0 } });
    expect(f.anthropic.requests.length + f.gemini.requests.length).toBe(seen);

    // A third sample of each judged case pays for that sample alone: 2 answers and 2 verdicts.
    const third = await runEvaluation(taskQueue, input(a, ids, 3));
    expect(third.spent.calls).toBe(4);
    expect(completions(f.anthropic, 'A. Question')).toHaveLength(10);
    expect(completions(f.gemini, 'A. Question')).toHaveLength(6);

    // The improver's evidence reads the same stored results, the judge's reasoning included.
    const evidence = await loadCaseEvidence(db, {
      candidateHash: a.hash,
      cases: [full(judged('j0')), full(checked('q1'))],
      models,
    });
    expect(evidence).toEqual([
      {
        caseId: 'j0',
        vars: { q: 'j0' },
        output: 'ANSWER(j0)',
        // The mean of three samples of 0.8.
        score: expect.closeTo(0.8, 10),
        passed: true,
        assertions: [{ type: 'rubric', pass: true, score: 0.8, reason: 'clear and correct' }],
      },
      expect.objectContaining({ caseId: 'q1', output: 'ANSWER(q1)', score: 1, passed: true }),
    ]);
  });

  test('another candidate (another content hash) pays again', async () => {
    const a = await storeCandidate(db, prompt('A.'));
    await runEvaluation(taskQueue, input(a, ['q0', 'j0'], 1));
    const b = await storeCandidate(db, prompt('B.'));
    expect(b.hash).not.toBe(a.hash);
    const r = await runEvaluation(taskQueue, input(b, ['q0', 'j0'], 1));
    expect(r.spent.calls).toBe(3);
    expect(completions(f.anthropic, 'B. Question')).toHaveLength(2);
    expect(completions(f.gemini, 'B. Question')).toHaveLength(1);
  });

  test('a judge that fails scores its cases 0 and counts them as failures; the activity succeeds', async () => {
    const c = await storeCandidate(db, prompt('C.'));
    f.judge.fn = (req) =>
      !req.text.includes('C. Question')
        ? verdict
        : req.text.includes('Question: j0')
          ? { text: 'I would rather not say.' }
          : { status: 400, message: 'the judge refuses' };
    try {
      const r = await runEvaluation(taskQueue, input(c, ids, 2));
      expect(r).toMatchObject({
        scores: { q0: 1, q1: 1, q2: 1, q3: 1, j0: 0, j1: 0 },
        passed: { q0: true, j0: false, j1: false },
        failures: 4,
      });
      // 8 answers and j0's 2 unusable verdicts were paid; j1's refusals were not.
      expect(r.spent.calls).toBe(10);
      const [j0, j1] = await loadCaseEvidence(db, {
        candidateHash: c.hash,
        cases: [full(judged('j0')), full(judged('j1'))],
        models,
      });
      expect(j0).toMatchObject({
        score: 0,
        passed: false,
        output: 'ANSWER(j0)',
        error: 'the rubric judge gave no score',
      });
      expect(j1!.error).toMatch(/^the rubric judge failed: /);
      // Recorded: evaluating it again pays nothing and scores it the same.
      const again = await runEvaluation(taskQueue, input(c, ids, 2));
      expect(again).toEqual({ ...r, spent: { calls: 0, usd: 0 } });
    } finally {
      f.judge.fn = () => verdict;
    }
  });

  test('an executor call that fails for good is scored 0 but not kept: it was not paid, a later evaluation asks again', async () => {
    const e = await storeCandidate(db, prompt('E.'));
    f.answer.fn = (req) =>
      req.text.includes('E. Question: q0') ? { status: 400, message: 'the request is refused' } : echo(req);
    try {
      const r = await runEvaluation(taskQueue, input(e, ['q0', 'q1'], 1));
      expect(r).toMatchObject({ scores: { q0: 0, q1: 1 }, passed: { q0: false, q1: true }, failures: 1 });
      expect(r.spent.calls).toBe(1);
      f.answer.fn = echo;
      const again = await runEvaluation(taskQueue, input(e, ['q0', 'q1'], 1));
      expect(again).toMatchObject({ scores: { q0: 1, q1: 1 }, failures: 0, spent: { calls: 1 } });
      expect(completions(f.anthropic, 'E. Question: q1')).toHaveLength(1);
    } finally {
      f.answer.fn = echo;
    }
  });

  test('a skill and its no-skill baseline: the same cases, the baseline asked without the skill, fewer tokens', async () => {
    const skill = await storeCandidate(db, {
      type: 'skill',
      files: { 'SKILL.md': '# Answer\nAlways answer as ANSWER(<question>), and explain nothing at all.' },
    });
    const none = await storeCandidate(db, noSkillContent(await getJson<LibraryContent>(db, skill.ref)));
    // The input alone decides the answer; the fake counts tokens from the prompt's length.
    f.answer.fn = (req) => ({ text: `ANSWER(${/<input>\n(\S+)/.exec(req.text)?.[1] ?? ''})` });
    try {
      const withSkill = await runEvaluation(taskQueue, input(skill, ['q0', 'q1'], 1));
      const without = await runEvaluation(taskQueue, input(none, ['q0', 'q1'], 1));
      expect(withSkill.scores).toEqual({ q0: 1, q1: 1 });
      expect(without.scores).toEqual({ q0: 1, q1: 1 });
      expect(without.tokens).toBeLessThan(withSkill.tokens);
      const asked = f.anthropic.requests.filter((r) => r.text.includes('<input>'));
      // With the skill: its agent run's opening (`<skill name=…>`, SKILL.md, the input); without: no skill block.
      expect(asked.filter((r) => r.text.includes('<skill'))).toHaveLength(2);
      expect(asked.filter((r) => !r.text.includes('<skill'))).toHaveLength(2);
    } finally {
      f.answer.fn = echo;
    }
  });

  test('an unknown case id fails for good, naming it', async () => {
    const a = await storeCandidate(db, prompt('A.'));
    const err = await runEvaluation(taskQueue, input(a, ['q0', 'no-such-case'], 1)).catch((e: unknown) => e);
    const cause = (err as { cause?: { cause?: { type?: string; message?: string; nonRetryable?: boolean } } }).cause
      ?.cause;
    expect(cause).toMatchObject({ type: 'UnknownCase', nonRetryable: true });
    expect(cause?.message).toContain('no-such-case');
    expect(cause?.message).toContain('qa@');
  });

  test('an attempt cut mid-way is retried and pays only the samples it had not stored', async () => {
    const d = await storeCandidate(db, prompt('D.'));
    let n = 0;
    // The first two answers come at once; the next two never come in time, so the attempt times out.
    f.answer.fn = (req) => {
      if (!req.text.includes('D. Question')) return echo(req);
      n++;
      return n === 3 || n === 4 ? { hangMs: 60_000 } : echo(req);
    };
    try {
      const r = await runEvaluation(taskQueue, input(d, ['q0', 'q1', 'q2', 'q3'], 1), {
        startToCloseTimeoutMs: 5_000,
        heartbeatTimeoutMs: 2_000,
      });
      expect(r.scores).toEqual({ q0: 1, q1: 1, q2: 1, q3: 1 });
      const asked = completions(f.anthropic, 'D. Question');
      // 4 asked by the first attempt (2 answered, 2 cut off unanswered), 2 by the retry: the missing ones.
      expect(asked).toHaveLength(6);
      const delivered = asked.filter((q) => q.delivered).map((q) => /Question: (\S+)/.exec(q.text)![1]);
      expect(delivered.sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
      // The retry carries over what the cut attempt paid (through its heartbeats).
      expect(r.spent.calls).toBe(4);
    } finally {
      f.answer.fn = echo;
    }
  });
});

describeEachStore('evaluateCandidate durability (worker process SIGKILLed mid-evaluation)', (backend) => {
  test('a worker killed with answers stored and calls in flight: the next worker pays only the missing samples', async () => {
    const url = await backend.freshUrl();
    const db = await openStore(url);
    const f = await fakes();
    let release!: () => void;
    const killed = new Promise<void>((resolve) => (release = resolve));
    let n = 0;
    // Four answers at once; the rest wait until the first worker is dead (they never reach it).
    f.answer.fn = async (req) => {
      if (++n > 4) await killed;
      return echo(req);
    };
    const ids = Array.from({ length: 8 }, (_, i) => `k${i}`);
    const v = await addDatasetVersion(db, {
      name: 'kill-set',
      cases: ids.map(checked).map(full),
      source: 't',
      author: 'ana',
    });
    const candidate = await storeCandidate(db, prompt('K.'));
    const taskQueue = uniqueId('tq-evaluate-kill');
    const first = await spawnEvaluateWorker(taskQueue, url, f.providers);
    let second: { stop(): Promise<void> } | undefined;
    try {
      const handle = await client.workflow.start('evaluateOnlyWorkflow', {
        taskQueue,
        workflowId: uniqueId('evaluate-kill'),
        args: [
          {
            runId: 'opt-kill',
            dataset: { name: 'kill-set', version: v.version },
            models,
            candidate,
            caseIds: ids,
            samples: 1,
            purpose: 'validation',
          } satisfies EvaluateCandidateInput,
          {
            startToCloseTimeoutMs: 120_000,
            heartbeatTimeoutMs: 3_000,
            maximumAttempts: 3,
          } satisfies EvaluateOnlyOptions,
        ],
      });
      await eventually(
        async () => {
          const row = await db.get<{ n: number }>(
            'SELECT COUNT(*) AS n FROM candidate_results WHERE candidate_hash = ?',
            [candidate.hash],
          );
          return Number(row?.n) === 4 && f.anthropic.requests.length === 8;
        },
        60_000,
        'four stored results and four calls in flight',
      );
      first.child.kill('SIGKILL');
      await first.exited;
      release();
      second = await startEvaluateWorker(taskQueue, db, f.providers);
      const r = (await handle.result()) as EvaluateResponse;

      expect(Object.values(r.scores)).toEqual(ids.map(() => 1));
      // 8 asked of the killed worker (4 answered and stored, 4 cut off), 4 of the next: every case answered once.
      expect(f.anthropic.requests).toHaveLength(12);
      const delivered = f.anthropic.requests.filter((q) => q.delivered).map((q) => /Question: (\S+)/.exec(q.text)![1]);
      expect(delivered.sort()).toEqual(ids);
      const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM candidate_results WHERE candidate_hash = ?', [
        candidate.hash,
      ]);
      expect(Number(row?.n)).toBe(8);
    } finally {
      first.child.kill('SIGKILL');
      await second?.stop();
      await f.anthropic.close();
      await f.gemini.close();
      await db.close();
    }
  });
});
