import path from 'node:path';
import { freePort } from '../../src/temporal/probe';
import { eventually, spawnWorkerProcess, tempDir, testClient, uniqueId } from '../support/temporal';

describe('the worker with REFINERY_WORKER_METRICS_ADDRESS', () => {
  test("serves Temporal's runtime metrics for Prometheus, counting the workflows it ran", async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const taskQueue = uniqueId('tq-metrics');
    const worker = spawnWorkerProcess({
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_DATABASE_URL: `sqlite:${path.join(tempDir('worker-metrics'), 'refinery.db')}`,
      REFINERY_WORKER_METRICS_ADDRESS: address,
    });
    const { client, close } = await testClient();
    try {
      await eventually(() => worker.output().includes('polling task queue'), 60_000, 'the worker to start');
      expect(worker.output()).toContain(`Temporal metrics at http://${address}/metrics`);

      const workflowId = uniqueId('self-check-metrics');
      await client.workflow.execute('selfCheckWorkflow', { taskQueue, workflowId, args: [{ effectKey: workflowId }] });

      // Core exports on its own schedule: poll until the completion shows, for this worker's task queue.
      const completed = new RegExp(`^temporal_workflow_completed\\{[^}]*task_queue="${taskQueue}"[^}]*\\} (\\d+)`, 'm');
      const text = await eventually(
        async () => {
          const res = await fetch(`http://${address}/metrics`).catch(() => undefined);
          const body = res?.ok ? await res.text() : '';
          return completed.test(body) ? body : undefined;
        },
        30_000,
        'temporal_workflow_completed on the worker metrics endpoint',
      );
      expect(Number(completed.exec(text)![1])).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^# TYPE temporal_workflow_completed counter$/m);
      expect(text).toMatch(new RegExp(`^temporal_worker_task_slots_available\\{[^}]*task_queue="${taskQueue}"`, 'm'));
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await close();
    }
  });
});
