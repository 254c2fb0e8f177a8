import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  selfCheckStatusQuery,
  setLabelUpdate,
  addNoteSignal,
  finishSignal,
  type SelfCheckStatus,
} from '../../src/shared';
import { openStore } from '../../src/store/open';
import type { Db } from '../../src/store/db';
import { eventually, spawnWorkerProcess, tempDir, testClient, uniqueId, withWorker } from '../support/temporal';

describe('selfCheckWorkflow on a real Temporal dev server', () => {
  let db: Db;
  let dbUrl: string;
  beforeAll(async () => {
    dbUrl = `sqlite:${path.join(tempDir('store'), 'refinery.db')}`;
    db = await openStore(dbUrl);
  });
  afterAll(() => db.close());

  test('activity, signal, update with a validator, and query', async () => {
    const taskQueue = uniqueId('tq');
    const workflowId = uniqueId('self-check');
    const { client, close } = await testClient();
    try {
      await withWorker(taskQueue, { db }, async () => {
        const handle = await client.workflow.start('selfCheckWorkflow', {
          taskQueue,
          workflowId,
          args: [{ effectKey: workflowId, waitForFinish: true }],
        });
        await eventually(async () => (await handle.query(selfCheckStatusQuery)).phase === 'waiting', 20_000, 'waiting');

        await handle.signal(addNoteSignal, { note: 'first note' });

        const rejected = handle.executeUpdate(setLabelUpdate, { args: [{ label: 'Not A Label!' }] });
        await expect(rejected).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        await expect(rejected).rejects.toMatchObject({ cause: { message: expect.stringContaining('is invalid') } });

        const previous = await handle.executeUpdate(setLabelUpdate, { args: [{ label: 'nightly-1' }] });
        expect(previous).toBe('unlabelled');

        const status = await handle.query(selfCheckStatusQuery);
        expect(status).toMatchObject({ label: 'nightly-1', notes: ['first note'], effectApplied: true });

        await handle.signal(finishSignal, { by: 'test' });
        const result = (await handle.result()) as SelfCheckStatus;
        expect(result.phase).toBe('done');
      });
      const rows = await db.all('SELECT effect_key FROM side_effects WHERE effect_key = ?', [workflowId]);
      expect(rows).toHaveLength(1);
    } finally {
      await close();
    }
  });

  test('a worker SIGKILLed mid-activity is replaced and the side effect lands exactly once', async () => {
    const taskQueue = uniqueId('tq');
    const workflowId = uniqueId('self-check-kill');
    const env = { REFINERY_TASK_QUEUE: taskQueue, REFINERY_DATABASE_URL: dbUrl };
    const { client, close } = await testClient();
    const first = spawnWorkerProcess(env);
    let second: ReturnType<typeof spawnWorkerProcess> | undefined;
    try {
      const handle = await client.workflow.start('selfCheckWorkflow', {
        taskQueue,
        workflowId,
        // The activity applies its effect at once, then keeps working for 4 s: the kill lands in that window.
        args: [{ effectKey: workflowId, holdMs: 4000 }],
      });
      await eventually(
        async () => (await db.get('SELECT 1 AS ok FROM side_effects WHERE effect_key = ?', [workflowId])) !== undefined,
        60_000,
        'the first attempt to apply its effect',
      );
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();

      second = spawnWorkerProcess(env);
      const result = (await handle.result()) as SelfCheckStatus;
      expect(result.phase).toBe('done');

      const effects = await db.all('SELECT effect_key FROM side_effects WHERE effect_key = ?', [workflowId]);
      const attempts = await db.all<{ attempt: number; worker_pid: number }>(
        'SELECT attempt, worker_pid FROM activity_attempts WHERE effect_key = ? ORDER BY attempt',
        [workflowId],
      );
      expect(effects).toHaveLength(1); // counted: applied exactly once
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2]); // the activity really ran twice
      expect(attempts[0]!.worker_pid).toBe(first.child.pid);
      expect(attempts[1]!.worker_pid).toBe(second.child.pid);
      expect(result.attempts).toBe(2);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await second?.exited;
      await close();
    }
  });
});
