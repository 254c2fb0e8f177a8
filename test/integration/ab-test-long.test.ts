import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import { AB_LOOKS_PER_RUN } from '../../src/rollout/ab-plan';
import type { AbInput, AbStatus } from '../../src/rollout/ab-types';
import { getRollout } from '../../src/rollout/rollout-store';
import { abStatusQuery } from '../../src/shared';
import { openStore } from '../../src/store/open';
import { sharedTestEnv } from '../support/shared-env';
import { tempDir, uniqueId } from '../support/temporal';
import { timeSkippingEnv } from '../support/time-skipping';

let env: TestWorkflowEnvironment;
beforeAll(async () => (env = await timeSkippingEnv()));
afterAll(() => env?.teardown());

const DAY = 86_400_000;

/** Event counts of every run of workflowId, following the continue-as-new chain from its first run. */
async function historySizes(client: Client, workflowId: string, firstRunId: string): Promise<number[]> {
  const sizes: number[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    sizes.push(events.length);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return sizes;
}

describe('abTestWorkflow over 14 days at a 1-minute interval (time-skipping server)', () => {
  test('continues as new, answers its status query across runs, and ends inconclusive with the split at 0 %', async () => {
    const db = await openStore(`sqlite:${path.join(tempDir('ab-long'), 'r.db')}`);
    const actor = { subject: 'ana', admin: true, ownerRole: true };
    for (const t of ['one', 'two', 'three'])
      await recordVersion(db, 'greet', { type: 'text', text: t, variables: [] }, { rationale: 't', author: 'ana' });
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
      // No traffic: minSamples is never reached, so the test runs its whole 14 days (20,160 looks).
      const input: AbInput = {
        abId: uniqueId('ab-long'),
        name: 'greet',
        variants: [2, 3],
        split: [50, 50],
        metric: 'thumbs-down-rate',
        minSamples: 800,
        checkIntervalMs: 60_000,
        maxDurationMs: 14 * DAY,
      };
      const handle = await env.client.workflow.start('abTestWorkflow', {
        taskQueue,
        workflowId: input.abId,
        args: [input],
      });
      // Two days in (2,880 looks): past several continue-as-new, the status query still answers.
      await env.sleep(2 * DAY);
      const mid = await handle.query(abStatusQuery);
      expect(mid.phase).toBe('running');
      expect(mid.looks).toBeGreaterThan(AB_LOOKS_PER_RUN);
      expect(mid.waitedMs).toBe(mid.looks * 60_000);
      expect((await getRollout(db, input.abId))?.status).toBe('running');

      const status = (await handle.result()) as AbStatus;
      expect(status).toMatchObject({ phase: 'inconclusive', looks: 14 * 24 * 60, waitedMs: 14 * DAY });
      expect(status.samples).toEqual({ a: 0, b: 0 });
      expect(status.verdict).toBeUndefined();
      expect(await getRollout(db, input.abId)).toMatchObject({ percent: 0, status: 'inconclusive' });
      const event = await db.get<{ kind: string; detail: string }>(
        'SELECT kind, detail FROM rollout_events WHERE rollout_id = ?',
        [input.abId],
      );
      expect(event).toMatchObject({ kind: 'inconclusive' });

      const sizes = await historySizes(env.client, input.abId, handle.firstExecutionRunId);
      console.log(`14-day A/B test: ${sizes.length} runs, largest history ${Math.max(...sizes)} events`);
      expect(sizes.length).toBeGreaterThanOrEqual(Math.floor((14 * 24 * 60) / AB_LOOKS_PER_RUN));
      expect(Math.max(...sizes)).toBeLessThan(10_000);
    } finally {
      worker.shutdown();
      await running;
      await db.close();
    }
  }, 1_800_000);
});
