import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { getLabels, moveLabel } from '../../src/library/label-store';
import { recordFeedback, recordRuns } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import { LOOKS_PER_RUN } from '../../src/rollout/plan';
import type { RolloutInput, RolloutStatus } from '../../src/rollout/types';
import { rolloutStatusQuery } from '../../src/shared';
import { openStore } from '../../src/store/open';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, tempDir, uniqueId } from '../support/temporal';
import { timeSkippingEnv } from '../support/time-skipping';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(() => env?.teardown());

const DAY = 24 * 3600 * 1000;

/** Every run of a workflow chain, first to last, with its history's event count. */
async function chainEventCounts(workflowId: string, firstRunId: string): Promise<number[]> {
  const counts: number[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await env.client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory();
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    counts.push(events.length);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return counts;
}

describe('a rollout of weeks (time-skipping server)', () => {
  test('4 steps with 24 h bakes at a 1-minute interval run to promotion; no run nears 10,000 history events', async () => {
    const db = await openStore(`sqlite:${path.join(tempDir('rollout-long'), 'r.db')}`);
    const actor = { subject: 'ana', admin: true, ownerRole: true };
    for (const t of ['Hello {{name}}', 'Hi {{name}}!'])
      await recordVersion(
        db,
        'greet',
        { type: 'text', text: t, variables: ['name'] },
        { rationale: 't', author: 'ana' },
      );
    await moveLabel(db, { name: 'greet', label: 'production', version: 1, actor, reason: 'launch' });
    const taskQueue = uniqueId('tq');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db }),
    });
    const running = worker.run();
    try {
      const input: RolloutInput = {
        rolloutId: uniqueId('ro-long'),
        name: 'greet',
        candidateVersion: 2,
        steps: [1, 10, 50, 100],
        bakeMs: DAY,
        evaluationIntervalMs: 60_000,
        approval: { required: false, timeoutMs: DAY, approvers: ['ana'] },
        startedBy: 'test',
      };
      const handle = await env.client.workflow.start('rolloutWorkflow', {
        taskQueue,
        workflowId: input.rolloutId,
        args: [input],
      });
      await eventually(async () => (await handle.query(rolloutStatusQuery)).phase === 'baking', 30_000, 'step 1');
      // Healthy traffic on both arms, enough for the guard's default 100 samples on every signal.
      const runs = [1, 2].flatMap((version) =>
        Array.from({ length: 150 }, (_, i) => ({
          id: `run-${version}-${i}-${input.rolloutId}`,
          name: 'greet',
          version,
          latencyMs: 100 + (i % 9),
          inputTokens: 20,
          outputTokens: 30 + (i % 4),
          formatOk: true,
          corrected: false,
          regenerated: false,
        })),
      );
      await recordRuns(db, runs);
      await recordFeedback(
        db,
        runs.map((r, i) => ({
          id: `fb-${r.id}`,
          runId: r.id,
          thumbs: i % 10 === 0 ? ('down' as const) : ('up' as const),
        })),
      );

      const result = (await handle.result()) as RolloutStatus;
      expect(result.phase).toBe('promoted');
      expect(result.percent).toBe(100);
      expect((await getLabels(db, 'greet')).production).toBe(2);
      expect(result.events.filter((e) => e.kind === 'step').map((e) => e.detail)).toEqual([
        '1% of units see version 2',
        '10% of units see version 2',
        '50% of units see version 2',
        '100% of units see version 2',
      ]);
      const guards = result.events.filter((e) => e.kind === 'guard');
      expect(guards).toHaveLength(4);
      for (const g of guards)
        expect(g.detail).toMatch(
          /no breach with 150 control and 150 canary runs; .*control 150, canary 150 \(minimum 100\)/,
        );

      // Events kept unique indices across every run of the chain, and the store has them all.
      const stored = await db.all<{ event_index: number; kind: string }>(
        'SELECT event_index, kind FROM rollout_events WHERE rollout_id = ? ORDER BY event_index',
        [input.rolloutId],
      );
      expect(stored.map((e) => Number(e.event_index))).toEqual(stored.map((_, i) => i));
      expect(stored).toHaveLength(result.eventCount);
      expect(stored.map((e) => e.kind)).toEqual(result.events.map((e) => e.kind));

      // The status query answers from the last run of the chain, with what earlier runs carried over.
      expect(await handle.query(rolloutStatusQuery)).toMatchObject({ phase: 'promoted', step: 4 });

      const counts = await chainEventCounts(input.rolloutId, handle.firstExecutionRunId);
      const looks = 4 * (DAY / 60_000);
      expect(counts.length).toBeGreaterThanOrEqual(Math.ceil(looks / LOOKS_PER_RUN));
      expect(Math.max(...counts)).toBeLessThan(10_000);
      // In one run it would have been far over Temporal's limits (about a dozen events a look).
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(50_000);
    } finally {
      worker.shutdown();
      await running;
      await db.close();
    }
  }, 1_800_000);
});
