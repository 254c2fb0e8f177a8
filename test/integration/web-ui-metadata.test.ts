import path from 'node:path';
import type { Client } from '@temporalio/client';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import { buildRolloutInput, startRollout } from '../../src/rollout/start';
import type { RolloutStatus } from '../../src/rollout/types';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { storeIdentity } from '../../src/store/store-identity';
import { storeMemo } from '../../src/temporal/store-binding';
import { evalHarness } from '../support/eval-harness';
import { improverReply } from '../support/optimizer-fakes';
import { optimizeHarness, topicCases, type OptimizeHarness } from '../support/optimize/optimize-harness';
import { eventually, tempDir, testClient, uniqueId, withWorker } from '../support/temporal';
import { currentDetails, historySummaries, offeredSignals } from '../support/web-ui';

// What the Temporal Web UI shows of a run, read back through the client from the real dev server: the static
// summary and details given at the start, the current details the workflow keeps (with the exact signal and JSON a
// person sends), and the summaries on activity and timer events.

let client: Client;
let closeClient: () => Promise<void>;
const open: OptimizeHarness[] = [];
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => closeClient());

const TOPICS = ['apples', 'boats', 'cats', 'dunes', 'elms', 'ferns'];

test('a stalled tune (the optimizer): summary, details, the decide signal to send, and activity and timer summaries', async () => {
  // An improver that changes nothing: the run converges below its threshold and waits for a decision.
  const h = await optimizeHarness({ improver: [improverReply({ summary: 'nothing', edits: [] })] });
  open.push(h);
  await h.item('greet', { type: 'text', text: 'Answer the question.\nQuestion: {{q}}', variables: ['q'] });
  await h.dataset('topics', topicCases(30, TOPICS));
  const taskQueue = uniqueId('tq-webui');
  await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
    const run = await h.start(client, taskQueue, ['greet'], {
      dataset: 'topics@1',
      seed: '7',
      'max-iterations': '5',
      threshold: '95',
      patience: '1',
    });
    const handle = client.workflow.getHandle(run.workflowId);
    await eventually(async () => (await run.status()).phase === 'awaiting-decision', 60_000, 'the stall');

    const desc = await handle.describe();
    expect(await desc.staticSummary()).toBe(
      'Optimizes text greet@1 on dataset topics@1: up to 5 rounds of 2 proposals, threshold 95, seed 7 — started by ana',
    );
    const staticDetails = (await desc.staticDetails())!;
    expect(staticDetails).toContain(`**Optimizer run** \`${run.input.runId}\``);
    expect(staticDetails).toContain('| Threshold | 95 |');
    expect(staticDetails).toContain(`\`refinery status ${run.workflowId}\``);

    const details = await currentDetails(handle);
    expect(details).toContain('— awaiting-decision');
    expect(details).toMatch(/Round \d+\/5 · best validation/);
    expect(details).toMatch(/Spent \d+ calls, \$/);
    expect(details).toContain('**Waiting for a person**');
    expect(details).toContain('More Actions → Send a Signal');
    expect(details).toContain('signal `decide` with `{"action":"accept","by":"your-name"}`');
    expect(offeredSignals(details)).toEqual([
      { signal: 'decide', payload: { action: 'continue', iterations: 3, by: 'your-name' } },
      { signal: 'decide', payload: { action: 'accept', by: 'your-name' } },
      { signal: 'decide', payload: { action: 'rollback', by: 'your-name' } },
      { signal: 'decide', payload: { action: 'cancel', by: 'your-name' } },
    ]);

    const events = await historySummaries(handle);
    const activities = events.filter((e) => e.kind === 'activity');
    const evaluations = activities.filter((e) => e.type === 'evaluateCandidate').map((e) => e.summary);
    expect(evaluations[0]).toMatch(/^judge the original [0-9a-f]{8} on 12 cases × 3 samples$/);
    expect(
      evaluations
        .slice(1)
        .every((s) => /^judge candidate [0-9a-f]{8} on \d+ (minibatch|validation) cases/.test(s ?? '')),
    ).toBe(true);
    const proposals = activities.filter((e) => e.type === 'proposeCandidate').map((e) => e.summary);
    expect(proposals.length).toBeGreaterThan(0);
    expect(
      proposals.every((s) =>
        /^propose candidate [12] of round \d+ from [0-9a-f]{8}, learning from \d+ cases$/.test(s ?? ''),
      ),
    ).toBe(true);
    // Every scheduled activity of the run says what it does.
    expect(activities.filter((e) => !e.summary).map((e) => e.type)).toEqual([]);
    expect(activities[0]).toEqual({
      kind: 'activity',
      type: 'prepareOptimizeRun',
      summary: 'read dataset topics@1, split it (seed 7) and project the cost',
    });
    expect(events.filter((e) => e.kind === 'timer').map((e) => e.summary)).toEqual([
      expect.stringMatching(/^wait up to \d+ (d|h)( \d+ (h|min))? for a decision \(signal decide\)$/),
    ]);

    // The payload exactly as the details give it, sent as the Web UI sends it: a signal. It ends the wait.
    const accept = offeredSignals(details).find((s) => s.payload.action === 'accept')!;
    await handle.signal(accept.signal, accept.payload);
    const status = await run.result();
    expect(status.stop).toBe('accepted');
    expect(status.decisions[0]).toMatchObject({
      action: 'accept',
      by: expect.stringMatching(/^your-name \(unauthenticated/),
    });
    // A closed run's details show how it ended.
    expect(await currentDetails(handle)).toContain('— completed');
  });
});

test('an eval run: its summary names the version, dataset and starter; the details count chunks; chunks say which', async () => {
  const h = await evalHarness({ answer: (req) => ({ text: `ANSWER(${/Question: (.*)/.exec(req.text)?.[1] ?? ''})` }) });
  try {
    const version = await h.prompt('qa', 'Question: {{q}}', true);
    const cases = Array.from({ length: 6 }, (_, i) => ({
      id: `q${i}`,
      vars: { q: `q${i}` },
      assertions: [{ type: 'contains', value: `ANSWER(q${i})` }],
    }));
    const ds = await h.dataset('qa-set', cases);
    const taskQueue = uniqueId('tq-webui-eval');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const { runId, result } = await h.run(client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { chunkSize: 4 },
      });
      expect(result.passed).toBe(6);
      const handle = client.workflow.getHandle(runId);
      const desc = await handle.describe();
      expect(await desc.staticSummary()).toMatch(
        new RegExp(`^Eval qa@${version} on dataset qa-set@${ds}, pass rate ≥ [0-9.]+ — started by \\S+$`),
      );
      const details = await currentDetails(handle);
      expect(details).toContain('— phase **completed: 6 of 6 passed**');
      expect(details).toContain('Step: chunk 2 of 2 done');
      const chunks = (await historySummaries(handle)).filter((e) => e.type === 'runEvalChunk').map((e) => e.summary);
      expect(chunks.sort()).toEqual([
        `evaluate chunk 1 of 2 of eval run ${runId} per call`,
        `evaluate chunk 2 of 2 of eval run ${runId} per call`,
      ]);
    });
  } finally {
    await h.close();
  }
});

describe('a guarded rollout', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openStore(`sqlite:${path.join(tempDir('webui-rollout'), 'r.db')}`);
  });
  afterAll(() => db?.close());

  test('awaiting approval: the approve signal with an approver in the payload; then the bake timer says "bake 10 % for 1 h"', async () => {
    const name = `greet-${uniqueId('w').slice(-8)}`;
    const actor = { subject: 'ana', admin: true, ownerRole: true };
    for (const t of ['Hello {{name}}', 'Hi {{name}}!'])
      await recordVersion(db, name, { type: 'text', text: t, variables: ['name'] }, { rationale: 't', author: 'ana' });
    await moveLabel(db, { name, label: 'production', version: 1, actor, reason: 'launch' });
    const input = await buildRolloutInput(db, {
      name,
      version: 2,
      steps: [10, 100],
      bakeMs: 3_600_000,
      evaluationIntervalMs: 3_600_000,
      noGate: true,
      startedBy: 'ana',
      admins: ['bo'],
    });
    const taskQueue = uniqueId('tq-webui-rollout');
    const memo = storeMemo(await storeIdentity(db));
    await withWorker(taskQueue, { db }, async () => {
      const handle = await startRollout(client, { taskQueue, memo }, input);
      const status = () => handle.query<RolloutStatus>('status');
      await eventually(async () => (await status()).phase === 'awaiting-approval', 30_000, 'awaiting approval');

      const desc = await handle.describe();
      expect(await desc.staticSummary()).toBe(
        `Guarded rollout of ${name} v2: 10 % → 100 %, bake 1 h each — started by ana`,
      );
      expect(await desc.staticDetails()).toContain('| Approval | required, by ana, bo, within');

      const waiting = await currentDetails(handle);
      expect(waiting).toContain('— phase **awaiting-approval**');
      expect(waiting).toContain('`by` must be one of `ana`, `bo`.');
      const approve = offeredSignals(waiting).find((s) => s.signal === 'approve' && s.payload.decision === 'approve')!;
      expect(approve.payload).toEqual({ decision: 'approve', by: 'ana' });
      expect(events(await historySummaries(handle), 'timer')).toEqual([
        expect.stringMatching(/^wait up to \d+ d for approval \(signal approve\)$/),
      ]);

      await handle.signal(approve.signal, approve.payload);
      const baking = await eventually(
        async () => {
          const d = await currentDetails(handle);
          return d.includes('phase **baking**') && d.includes('baked 0 s of 1 h') ? d : undefined;
        },
        30_000,
        'the bake',
      );
      expect(baking).toContain('Step: step 1 of 2 at 10 %');
      expect(baking).toContain('signal `control` with `{"action":"pause","by":"your-name"}`');
      expect(events(await historySummaries(handle), 'timer')).toContain(
        'bake 10 % for 1 h (step 1), then the guard looks',
      );

      await handle.signal('control', { action: 'abort', by: 'ana', reason: 'test done' });
      expect((await handle.result()).phase).toBe('aborted');
    });
  });
});

const events = (all: Awaited<ReturnType<typeof historySummaries>>, kind: string) =>
  all.filter((e) => e.kind === kind).map((e) => e.summary);
