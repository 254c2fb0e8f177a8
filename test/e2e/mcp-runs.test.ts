import type { RecordedRequest } from '../fakes/fake-server-core';
import { evalHarness } from '../support/eval-harness';
import { mcpSession, type McpSession } from '../support/mcp';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, testClient, uniqueId, withWorker } from '../support/temporal';
import { judgeJson, tuneHarness } from '../support/tune-harness';
import { improverReply } from '../support/optimizer-fakes';
import { optimizeHarness, topicCases } from '../support/optimize/optimize-harness';
import { issueToken } from '../../src/library/tokens';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function session(env: Record<string, string>): Promise<McpSession> {
  const s = await mcpSession(env);
  closers.push(async () => {
    expect(s.transportErrors).toEqual([]);
    await s.close();
  });
  return s;
}

describe('refinery mcp over stdio: evals and tunes on a real Temporal server', () => {
  test('start_eval needs a writer; eval_result reads the running and the finished run', async () => {
    // "ANSWER(<q>)" except for case c, so the eval passes 2 of 3.
    const h = await evalHarness({
      answer: (req: RecordedRequest) => {
        const q = /Question: (\S+)/.exec(req.text)?.[1] ?? '';
        return { text: q === 'c' ? 'no idea' : `ANSWER(${q})` };
      },
    });
    closers.push(() => h.close());
    await h.prompt('qa', 'Question: {{q}}', true);
    const ds = await h.dataset(
      'qa-set',
      ['a', 'b', 'c'].map((id) => ({
        id,
        vars: { q: id },
        assertions: [{ type: 'contains', value: `ANSWER(${id})` }],
      })),
    );
    const taskQueue = uniqueId('tq');
    const env = {
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_DATABASE_URL: h.dbUrl,
      REFINERY_MCP_TOKEN: '',
    };
    const readOnly = await session(env);
    const refused = await readOnly.call('start_eval', { name: 'qa', dataset: `qa-set@${ds}` });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('start_eval needs the writer role (or above)');
    expect(await h.db.all('SELECT * FROM eval_runs')).toHaveLength(0);

    const token = (await issueToken(h.db, { subject: 'wes', role: 'writer' })).token;
    const s = await session({ ...env, REFINERY_MCP_TOKEN: token });
    const noDataset = await s.call('start_eval', { name: 'qa', dataset: 'missing@1' });
    expect(noDataset).toMatchObject({ isError: true, text: expect.stringContaining('no dataset missing@1') });

    // No worker yet: the run is started and waits; the read-only server reads it as running.
    const started = await s.call('start_eval', { name: 'qa', dataset: `qa-set@${ds}` });
    expect(started.isError).toBe(false);
    expect(started.json).toMatchObject({
      target: { name: 'qa', version: 1 },
      dataset: { name: 'qa-set', version: ds },
    });
    const runId = started.json.runId as string;
    expect((await readOnly.call('eval_result', { runId })).json).toMatchObject({ runId, status: 'running' });

    const done = await withWorker(taskQueue, { db: h.db, providers: h.providers }, () =>
      eventually(
        async () => {
          const r = await readOnly.call('eval_result', { runId, waitSeconds: 10 });
          return r.json?.status === 'completed' ? r.json : undefined;
        },
        90_000,
        'the eval',
      ),
    );
    expect(done.result).toMatchObject({ cases: 3, passed: 2, failed: 1 });
    expect(done.report).toContain('# Eval: qa v1 on qa-set@1');
    const notTune = await readOnly.call('tune_status', { workflowId: runId });
    expect(notTune).toMatchObject({
      isError: true,
      text: `"${runId}" runs evalRunWorkflow, not a tune: read evals with eval_result`,
    });
    const unknown = await readOnly.call('eval_result', { runId: 'eval-nope' });
    expect(unknown).toMatchObject({ isError: true, text: 'no eval run "eval-nope": check the run id' });
  });

  test('tune_status shows a stall; decide_tune refuses without the role, then decides as the token subject', async () => {
    const scores = [60, 62, 61];
    const h = await tuneHarness({ judge: (_req, it) => ({ text: judgeJson(scores[it - 1] ?? 61) }) });
    closers.push(() => h.close());
    const taskQueue = uniqueId('tq');
    const env = {
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_DATABASE_URL: h.dbUrl,
      REFINERY_HOME: h.dir,
      REFINERY_MCP_TOKEN: '',
    };
    const dir = h.makeSkill('stalls');
    const token = (await issueToken(h.db, { subject: 'wes', role: 'writer' })).token;
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      // The tune loop's own runs (the calendar's regression tunes start them; `refinery tune <dir>` now starts the
      // optimizer, whose MCP path the next test covers): started as the calendar's client does.
      const { client, close } = await testClient();
      closers.push(close);
      const { workflowId } = (await h.start([dir], { scenario: 'x', threshold: '90' }, client, taskQueue))[0]!;

      const readOnly = await session(env);
      const stalled = await eventually(
        async () => {
          const r = await readOnly.call('tune_status', { workflowId });
          return r.json?.awaitingDecision ? r.json : undefined;
        },
        60_000,
        'the stall',
      );
      expect(stalled).toMatchObject({ source: 'workflow', status: { stall: { reason: expect.any(String) } } });
      expect(stalled.next).toContain(`decide_tune {"workflowId": "${workflowId}"`);

      const refused = await readOnly.call('decide_tune', { workflowId, action: 'accept' });
      expect(refused.isError).toBe(true);
      expect(refused.text).toContain('decide_tune needs the writer role (or above)');
      expect((await readOnly.call('tune_status', { workflowId })).json.awaitingDecision).toBe(true);

      const s = await session({ ...env, REFINERY_MCP_TOKEN: token });
      const invalid = await s.call('decide_tune', { workflowId, action: 'continue' });
      expect(invalid.isError).toBe(true);
      expect(invalid.text).toContain('decision refused: continue needs');
      const accepted = await s.call('decide_tune', { workflowId, action: 'accept', note: 'good enough' });
      expect(accepted.isError).toBe(false);
      expect(accepted.json).toMatchObject({ workflowId, by: 'wes' });

      const finished = await eventually(
        async () => {
          const r = await readOnly.call('tune_status', { workflowId });
          return r.json?.status?.outcome ? r.json : undefined;
        },
        60_000,
        'the outcome',
      );
      expect(finished.awaitingDecision).toBe(false);
      expect(finished.status.decisions).toMatchObject([
        { action: 'accept', by: 'wes', note: 'good enough', authenticated: true },
      ]);
      const missing = await readOnly.call('tune_status', { workflowId: 'tune-nope' });
      expect(missing.isError).toBe(true);
      expect(missing.text).toContain('no tune run with id tune-nope');
    });
  });

  test('an optimizer run (tune --dataset) stalled below its threshold is read and accepted through MCP', async () => {
    const h = await optimizeHarness({ improver: [improverReply({ summary: 'nothing', edits: [] })] });
    closers.push(() => h.close());
    const { client, close } = await testClient();
    closers.push(close);
    await h.item('greet', { type: 'text', text: 'Answer the question.\nQuestion: {{q}}', variables: ['q'] });
    await h.dataset('topics', topicCases(30, ['apples', 'boats', 'cats', 'dunes', 'elms', 'ferns']));
    const taskQueue = uniqueId('tq-opt');
    const token = (await issueToken(h.db, { subject: 'wes', role: 'writer' })).token;
    const env = {
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_DATABASE_URL: h.dbUrl,
      REFINERY_MCP_TOKEN: token,
    };
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['greet'], {
        dataset: 'topics@1',
        seed: '7',
        'max-iterations': '5',
        threshold: '95',
        patience: '1',
      });
      const s = await session(env);
      const stalled = await eventually(
        async () => {
          const r = await s.call('tune_status', { workflowId: run.workflowId });
          return r.json?.awaitingDecision ? r.json : undefined;
        },
        60_000,
        'the stall',
      );
      expect(stalled.status).toMatchObject({ phase: 'awaiting-decision', target: { name: 'greet' } });
      expect(stalled.status.stall.detail).toMatch(/below the threshold/);
      // Named by its item, as `refinery decide greet` does: the one run of greet awaiting a decision.
      const both = await s.call('decide_tune', { workflowId: run.workflowId, item: 'greet', action: 'accept' });
      expect(both).toMatchObject({
        isError: true,
        text: expect.stringContaining('decide_tune takes one of "workflowId" (a run id) or "item"'),
      });
      // An id is never read as an item's name: a mistyped id decides nothing, though greet has a run waiting.
      const idNotItem = await s.call('decide_tune', { workflowId: 'greet', action: 'accept' });
      expect(idNotItem).toMatchObject({ isError: true, text: 'no running tune "greet": check it with tune_status' });
      const noRun = await s.call('decide_tune', { item: 'nothing-waits', action: 'accept' });
      expect(noRun).toMatchObject({
        isError: true,
        text: expect.stringContaining('no run of "nothing-waits" is awaiting a decision'),
      });
      const accepted = await s.call('decide_tune', { item: 'greet', action: 'accept' });
      expect(accepted).toMatchObject({
        isError: false,
        json: { workflowId: run.workflowId, item: 'greet', by: 'wes' },
      });
      const status = await run.result();
      expect(status.stop).toBe('accepted');
      expect(status.decisions).toMatchObject([{ action: 'accept', by: 'wes', authenticated: true }]);
    });
  });
});
