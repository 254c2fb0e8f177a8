import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { listCases } from '../../src/cases/case-store';
import { acceptCase, rejectCase } from '../../src/cases/case-review';
import { startImprove } from '../../src/clients/improve';
import { buildImproveInput } from '../../src/cli/improve-input';
import { getFeedback, getImproveStep } from '../../src/improve/improve-store';
import type { ImproveStatus } from '../../src/improve/types';
import { resolveLabel } from '../../src/library/label-store';
import { moveLabel } from '../../src/library/label-store';
import { recordFeedback, recordRuns, type FeedbackRecord, type RunRecord } from '../../src/library/records';
import { requireItem } from '../../src/library/versions';
import type { RolloutStatus } from '../../src/rollout/types';
import { storeIdentity } from '../../src/store/store-identity';
import { storeMemo } from '../../src/temporal/store-binding';
import { optimizeHarness, topicCases, type OptimizeHarness } from '../support/optimize/optimize-harness';
import { addDatasetVersion } from '../../src/store/evals';
import { eventually, spawnWorkerProcess, testClient, uniqueId, type WorkerProcess } from '../support/temporal';

// `refinery improve` end to end on the dev server: production traffic with injected failures, harvest, a review that
// accepts some cases and rejects others, the optimizer as a child, the gate against production, approval, the guarded
// rollout, the post-rollout check, the feedback resolved and the feedback.resolved webhook. Workers are separate
// processes, SIGKILLed once during the tune and once during the bake.

let client: Client;
let closeClient: () => Promise<void>;
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterAll(() => closeClient());

const TOPICS = ['apples', 'boats', 'cats', 'dunes', 'elms', 'ferns'];
/** Distinct inputs (no near-duplicates): the question id the fake echoes, then text unlike any other. */
const inputOf = (i: number) => `q${i} ${createHash('sha256').update(`input ${i}`).digest('hex').slice(0, 48)}`;

function webhookReceiver(): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/refinery`,
        bodies,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

describe('refinery improve: production evidence to a shipped fix', () => {
  let h: OptimizeHarness;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await hook?.close();
    await h?.close();
  });

  test('harvest → review → tune → gate → approval → rollout → check; feedback resolved; killed in the tune and the bake', async () => {
    h = await optimizeHarness({});
    hook = await webhookReceiver();
    await h.item('greet', { type: 'text', text: 'Answer the question.\nQuestion: {{input}}', variables: ['input'] });
    await moveLabel(h.db, {
      name: 'greet',
      label: 'production',
      version: 1,
      actor: { subject: 'ana', admin: true, ownerRole: true },
      reason: 'launch',
    });
    // The golden dataset of greet: the accepted cases join it as its next version.
    await addDatasetVersion(h.db, {
      name: 'greet-golden',
      target: 'greet',
      cases: topicCases(24, TOPICS).map((c, i) => ({
        id: c.id!,
        vars: { input: inputOf(100 + i) },
        expected: c.expected,
        assertions: [],
        tags: c.tags!,
        required: false,
      })),
      source: 'test',
      author: 'ana',
    });
    const owner = (await requireItem(h.db, 'greet')).owner;
    const taskQueue = uniqueId('tq-improve');
    const env = { ...h.workerEnv, REFINERY_TASK_QUEUE: taskQueue, REFINERY_WEBHOOK_URL: hook.url };
    workers.push(spawnWorkerProcess(env));

    // Production traffic on v1: every answer misses its topic. 16 runs get a thumbs-down; 12 of them also carry a
    // correction (the topic), 4 do not; 8 more runs are fine.
    const now = new Date().toISOString();
    const runs: RunRecord[] = Array.from({ length: 24 }, (_, i) => ({
      id: `prod-run-${i}-${taskQueue}`,
      name: 'greet',
      version: 1,
      input: inputOf(i),
      output: `ANSWER q${i}:`,
      corrected: false,
      regenerated: false,
      at: now,
    }));
    await recordRuns(h.db, runs);
    const feedback: FeedbackRecord[] = runs.slice(0, 16).map((r, i) => ({
      id: `prod-fb-${i}-${taskQueue}`,
      runId: r.id,
      thumbs: 'down' as const,
      userId: `user-${i % 3}`,
      ...(i < 12 ? { correction: TOPICS[i % TOPICS.length]! } : {}),
      at: now,
    }));
    await recordFeedback(h.db, feedback);

    const input = buildImproveInput(
      'greet',
      {
        'review-timeout': '10m',
        'approval-timeout': '10m',
        'check-window': '5s',
        'check-min-samples': '5',
        'gate-threshold': '0.5',
        steps: '100',
        bake: '10s',
        interval: '10s',
        'min-samples': '3',
        seed: '7',
        'max-iterations': '3',
        threshold: '10',
        parallel: '1',
        repeat: '1',
      },
      uniqueId('imp'),
      owner,
    );
    const { handle } = await startImprove(client, { taskQueue, memo: storeMemo(await storeIdentity(h.db)) }, input);
    const status = () => handle.query<ImproveStatus>('status');
    const stepState = async (step: string) => {
      const s = await status();
      // A run that ended early fails the test at once, saying why, instead of at a poll's deadline.
      if (s.current === 'finished') throw new Error(`the improve run finished early: ${s.outcome}`);
      return s.steps.find((x) => x.step === step)!.state;
    };

    // Harvest, then the review: accept the 12 corrected cases (the correction becomes `expected`), reject the rest.
    await eventually(async () => (await stepState('review')) === 'waiting', 60_000, 'the review wait');
    const harvested = (await status()).harvest!;
    expect(harvested.queued).toBe(16);
    const queue = await listCases(h.db, 'greet');
    expect(queue).toHaveLength(16);
    let accepted = 0;
    for (const c of queue) {
      if (c.correction) {
        await acceptCase(h.db, 'greet', c.caseId, {}, owner);
        accepted++;
      } else await rejectCase(h.db, 'greet', c.caseId, 'no correction: the user did not say what they wanted', owner);
    }
    expect(accepted).toBe(12);
    // Only the owner or an admin may skip the gate: a refused update says so and changes nothing.
    const refused = await handle
      .executeUpdate('control', { args: [{ action: 'skip', step: 'gate', by: 'mallory' }] })
      .then(
        () => undefined,
        (err: Error) => err,
      );
    expect((refused?.cause as Error | undefined)?.message).toMatch(/mallory may not skip the gate/);
    await handle.executeUpdate('control', { args: [{ action: 'reviewed', by: owner }] });

    // The tune runs as a child on the new dataset version; its worker dies mid-way, the next one finishes it.
    await eventually(
      async () => (await stepState('tune')) === 'running' && h.executorRequests().length >= 10,
      60_000,
      'the tune to be evaluating',
    );
    const published = (await status()).dataset!;
    expect(published).toEqual({ name: 'greet-golden', version: 2, added: 12 });
    workers[0]!.child.kill('SIGKILL');
    await workers[0]!.exited;
    workers.push(spawnWorkerProcess(env));

    await eventually(async () => (await stepState('approval')) === 'waiting', 120_000, 'the approval wait');
    const gated = await status();
    expect(gated.tune!.version).toBe(2);
    expect(gated.gate).toMatchObject({ passed: true });
    expect(gated.gate!.candidate).toBeGreaterThan(gated.gate!.production!);
    await handle.executeUpdate('control', { args: [{ action: 'approve', by: owner, note: 'ship it' }] });

    // The rollout bakes v2 at 100 %; the guard needs evidence on both arms. The worker dies during the bake.
    const rolloutId = await eventually(async () => (await status()).rollout?.workflowId, 60_000, 'the rollout');
    const rollout = client.workflow.getHandle(rolloutId);
    await eventually(
      // The improve run names the rollout's id as it starts it: the child may not exist for a moment yet.
      async () =>
        (
          await rollout.query<RolloutStatus>('status').catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return undefined;
            throw err;
          })
        )?.phase === 'baking',
      60_000,
      'the rollout to bake',
    );
    const guardRuns: RunRecord[] = [1, 2].flatMap((version) =>
      [0, 1, 2, 3].map((i) => ({
        id: `bake-run-${version}-${i}-${taskQueue}`,
        name: 'greet',
        version,
        input: `bake ${i}`,
        latencyMs: 100 + i,
        inputTokens: 10,
        outputTokens: 20 + i,
        corrected: false,
        regenerated: false,
        formatOk: true,
      })),
    );
    await recordRuns(h.db, guardRuns);
    await recordFeedback(
      h.db,
      guardRuns.map((r) => ({ id: `fb-${r.id}`, runId: r.id, thumbs: 'up' as const })),
    );
    workers[1]!.child.kill('SIGKILL');
    await workers[1]!.exited;
    workers.push(spawnWorkerProcess(env));

    // Promoted: the new version serves, and its traffic in the check window fails far less.
    await eventually(
      async () => (await stepState('rollout')) === 'done' && (await status()).rollout?.promotedAt,
      90_000,
      'the promotion',
    );
    const after: RunRecord[] = Array.from({ length: 8 }, (_, i) => ({
      id: `after-run-${i}-${taskQueue}`,
      name: 'greet',
      version: 2,
      input: `after ${i}`,
      corrected: false,
      regenerated: false,
    }));
    await recordRuns(h.db, after);
    await recordFeedback(h.db, [{ id: `after-fb-0-${taskQueue}`, runId: after[0]!.id, thumbs: 'up' }]);

    const final = await handle.result();
    expect(final.steps.map((s) => [s.step, s.state])).toEqual([
      ['harvest', 'done'],
      ['review', 'done'],
      ['tune', 'done'],
      ['gate', 'done'],
      ['approval', 'done'],
      ['rollout', 'done'],
      ['check', 'done'],
    ]);
    expect(await resolveLabel(h.db, 'greet', 'production')).toBe(2);
    expect(final.check).toMatchObject({ verdict: 'improved', after: { version: 2, runs: 8 }, before: { version: 1 } });
    expect(final.check!.kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['correction', 'thumbs-down']));
    expect(final.check!.kinds.every((k) => k.fell)).toBe(true);
    expect(await getImproveStep(h.db, input.runId, 'check')).toMatchObject({ verdict: 'improved' });

    // The feedback behind accepted cases is resolved by v2; the rejected ones are not.
    expect(final.resolvedFeedback).toBe(12);
    for (const [i, f] of feedback.entries()) {
      const stored = await getFeedback(h.db, f.id);
      if (i < 12) expect(stored!.resolution).toMatchObject({ version: 2, improveRunId: input.runId });
      else expect(stored!.resolution).toBeNull();
    }
    const events = hook.bodies.filter((b) => b.event === 'feedback.resolved');
    const delivered = events.flatMap((e) => e.resolutions as { feedbackId: string; version: number }[]);
    expect(new Set(delivered.map((r) => r.feedbackId))).toEqual(new Set(feedback.slice(0, 12).map((f) => f.id)));
    expect(delivered.every((r) => r.version === 2)).toBe(true);
  }, 240_000);
});
