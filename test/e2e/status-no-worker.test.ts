import { tuneStatusQuery } from '../../src/shared';
import { sharedTestEnv } from '../support/shared-env';
import { runCli } from '../support/cli';
import { eventually, testClient, uniqueId, withWorker } from '../support/temporal';
import { judgeJson, tuneHarness } from '../support/tune-harness';

describe('refinery status and list with no worker', () => {
  test('a stalled run whose worker is gone, and a run no worker ever polled, are answered from the store', async () => {
    // Every executor call is refused (401, not retried): three failed iterations stall the run for a decision.
    const h = await tuneHarness({
      judge: () => ({ text: judgeJson(70) }),
      executor: () => ({ status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' }),
    });
    const { client, close } = await testClient();
    try {
      const taskQueue = uniqueId('tq');
      const env = {
        TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
        REFINERY_TASK_QUEUE: taskQueue,
        REFINERY_DATABASE_URL: h.dbUrl,
        REFINERY_HOME: h.dir,
      };
      const workflowId = await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
        const [run] = await h.start([h.makeSkill('notes')], { threshold: '80' }, client, taskQueue);
        await eventually(
          async () => (await run!.handle.query(tuneStatusQuery)).phase === 'awaiting-decision',
          60_000,
          'the run to stall',
        );
        return run!.workflowId;
      });
      // The worker has stopped: the run's status query has nobody to answer it.
      const status = await runCli(['status', workflowId], env);
      expect(status.out).toMatch(/no worker (is polling|on task queue .* answered the status query)/);
      expect(status.out).toContain("this answer comes from the store and Temporal's visibility");
      expect(status.out).toMatch(/Temporal: running; store: awaiting-decision · 3 iterations · scores ✗ → ✗ → ✗/);
      expect(status.out).toContain(`refinery decide ${workflowId}`);
      expect(status.code).toBe(4);

      const json = await runCli(['status', workflowId, '--json'], env);
      expect(JSON.parse(json.out.split('\n')[0]!)).toMatchObject({
        workflowId,
        source: 'store',
        temporalStatus: 'RUNNING',
        taskQueue,
        store: { status: 'awaiting-decision', skills: ['notes'] },
      });

      // A queue no worker ever polled: status says so, without waiting on a query; list answers and says so.
      const idle = { ...env, REFINERY_TASK_QUEUE: uniqueId('idle') };
      const [never] = await h.start([h.makeSkill('other')], {}, client, idle.REFINERY_TASK_QUEUE);
      const waiting = await runCli(['status', never!.workflowId], idle);
      expect(waiting.code).toBe(0);
      expect(waiting.out).toContain(`no worker is polling task queue "${idle.REFINERY_TASK_QUEUE}"`);
      expect(waiting.out).toContain('the store has no record of the run yet');
      const list = await runCli(['list', '--status', 'awaiting-decision', '--json', '--limit', '500'], idle);
      expect(list.code).toBe(0);
      expect(list.out).toContain(`no worker is polling task queue "${idle.REFINERY_TASK_QUEUE}"`);
      const rows = JSON.parse(list.out.split('\n')[0]!) as { workflowId: string; status: string }[];
      expect(rows.find((r) => r.workflowId === workflowId)?.status).toBe('awaiting-decision');
      await never!.handle.terminate('test: clean-up');
      await client.workflow.getHandle(workflowId).terminate('test: clean-up');
    } finally {
      await close();
      await h.close();
    }
  });
});
