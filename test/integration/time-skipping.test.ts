import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import type { SelfCheckStatus } from '../../src/shared';
import { openStore } from '../../src/store/open';
import { sharedTestEnv } from '../support/shared-env';
import { timeSkippingEnv } from '../support/time-skipping';
import { tempDir, uniqueId } from '../support/temporal';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  test('a 7-day wait passes in seconds', async () => {
    const db = await openStore(`sqlite:${path.join(tempDir('ts'), 'r.db')}`);
    const taskQueue = uniqueId('tq');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db }),
    });
    const started = Date.now();
    const result = (await worker.runUntil(
      env.client.workflow.execute('selfCheckWorkflow', {
        taskQueue,
        workflowId: uniqueId('wait'),
        args: [{ effectKey: uniqueId('k'), waitForFinish: true, finishTimeoutMs: 7 * 24 * 3600 * 1000 }],
      }),
    )) as SelfCheckStatus;
    expect(result.phase).toBe('timed-out');
    expect(Date.now() - started).toBeLessThan(60_000); // a sanity bound, not a performance goal
    await db.close();
  });
});
