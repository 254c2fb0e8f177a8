import type { Client } from '@temporalio/client';
import { collectMetrics } from '../../src/metrics/collect';
import type { Db } from '../../src/store/db';
import { createEvalRun } from '../../src/store/evals';
import { createTuneRun } from '../../src/store/tune-runs';
import { reconcileRuns } from '../../src/temporal/reconcile-runs';
import { describeEachStore } from '../support/store-backends';
import { eventually, testClient, uniqueId } from '../support/temporal';

/** The errors counted for a workflow type by /metrics. */
async function errorsOf(db: Db, type: string): Promise<number> {
  const family = (await collectMetrics(db)).find((f) => f.name === 'refinery_workflow_run_errors_total');
  return family?.samples.find((s) => s.labels?.type === type)?.value ?? 0;
}

// No worker polls the task queue: the workflows never run a step, so nothing but the reconciler can close
// their rows, exactly like a run terminated (or timed out) while its worker was busy elsewhere.
describeEachStore('the reconciler closes runs that ended as workflows', (backend) => {
  let client: Client;
  let close: () => Promise<void>;
  beforeAll(async () => ({ client, close } = await testClient()));
  afterAll(() => close());

  test('terminated and timed-out tune and eval runs are recorded as failed, once; running ones are left', async () => {
    const db = await backend.open();
    const taskQueue = uniqueId('no-worker');
    const start = async (type: 'tuneWorkflow' | 'evalRunWorkflow', timeout?: '1 second') => {
      const workflowId = uniqueId(type === 'tuneWorkflow' ? 'tune' : 'eval');
      await client.workflow.start(type, {
        taskQueue,
        workflowId,
        args: [{}],
        ...(timeout ? { workflowExecutionTimeout: timeout } : {}),
      });
      if (type === 'tuneWorkflow')
        await createTuneRun(db, { runId: workflowId, workflowId, skills: ['s'], settings: {}, startedBy: 't' });
      else
        await createEvalRun(db, {
          runId: workflowId,
          target: 'p',
          targetVersion: 1,
          dataset: 'd',
          datasetVersion: 1,
          settings: {},
        });
      return workflowId;
    };
    const terminatedTune = await start('tuneWorkflow');
    const timedOutTune = await start('tuneWorkflow', '1 second');
    const terminatedEval = await start('evalRunWorkflow');
    const runningTune = await start('tuneWorkflow');
    await client.workflow.getHandle(terminatedTune).terminate('test: terminated as a workflow');
    await client.workflow.getHandle(terminatedEval).terminate('test: terminated as a workflow');
    expect(await errorsOf(db, 'tune')).toBe(0);

    const closed: string[] = [];
    await eventually(
      async () => {
        closed.push(...(await reconcileRuns(client, db)).map((r) => `${r.workflowId}:${r.status}:${r.reason}`));
        return closed.length === 3;
      },
      30_000,
      'the three ended runs to be closed',
    );
    expect(closed.sort()).toEqual(
      [
        `${terminatedTune}:failed:workflow-terminated`,
        `${timedOutTune}:failed:workflow-timed-out`,
        `${terminatedEval}:failed:workflow-terminated`,
      ].sort(),
    );
    const tuneRows = await db.all<{ run_id: string; status: string; termination: string | null }>(
      'SELECT run_id, status, termination FROM tune_runs',
    );
    expect(Object.fromEntries(tuneRows.map((r) => [r.run_id, [r.status, r.termination]]))).toEqual({
      [terminatedTune]: ['failed', 'workflow-terminated'],
      [timedOutTune]: ['failed', 'workflow-timed-out'],
      [runningTune]: ['running', null],
    });
    expect(
      (await db.get<{ status: string }>('SELECT status FROM eval_runs WHERE run_id = ?', [terminatedEval]))?.status,
    ).toBe('failed');
    // /metrics now counts them; a second pass finds nothing left to do.
    expect(await errorsOf(db, 'tune')).toBe(2);
    expect(await errorsOf(db, 'eval')).toBe(1);
    expect(await reconcileRuns(client, db)).toEqual([]);
    await client.workflow.getHandle(runningTune).terminate('test: clean-up');
  });
});
