import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import type { SelfCheckStatus } from '../../src/shared';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import type { RolloutInput, RolloutStatus } from '../../src/rollout/types';
import { addDatasetVersion } from '../../src/store/evals';
import { createTuneRun } from '../../src/store/tune-runs';
import { openStore } from '../../src/store/open';
import { STORE_HEADER, STORE_MEMO_KEY } from '../../src/temporal/store-keys';
import { runBinding, STORE_MISMATCH, storeMemo, storeTaskQueue } from '../../src/temporal/store-binding';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, tempDir, testClient, uniqueId } from '../support/temporal';

/** Two homes (two SQLite stores) against the one shared Temporal server, as two clones on one machine. */
describe('one store per task queue', () => {
  const env = sharedTestEnv();
  const home = (extra: Record<string, string> = {}) =>
    loadConfig({ TEMPORAL_ADDRESS: env.temporalAddress, REFINERY_HOME: tempDir('home'), ...extra });
  const workers: WorkerHandle[] = [];
  const start = async (config: ReturnType<typeof loadConfig>, reconcileIntervalMs?: number) => {
    const w = await startWorker(config, { workflowBundlePath: env.workflowBundlePath, reconcileIntervalMs });
    workers.push(w);
    return w;
  };
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.shutdown()));
  });

  test('by default each store has its own task queue, and a run started against a store goes to it', async () => {
    const configA = home();
    const a = await start(configA);
    const b = await start(home());
    expect(a.taskQueue).toBe(`refinery-${a.store.id.slice(0, 8)}`);
    expect(b.taskQueue).toBe(`refinery-${b.store.id.slice(0, 8)}`);
    expect(a.taskQueue).not.toBe(b.taskQueue);

    // A client of home A (the CLI) opens the same store and so finds the same queue and the same id.
    const db = await openStore(configA.databaseUrl);
    const { client, close } = await testClient();
    try {
      const binding = await runBinding(configA, db);
      expect(binding.taskQueue).toBe(a.taskQueue);
      expect(binding.store).toEqual(a.store);
      const workflowId = uniqueId('self-check');
      const result = (await client.workflow.execute('selfCheckWorkflow', {
        taskQueue: binding.taskQueue,
        workflowId,
        args: [{ effectKey: workflowId }],
        memo: binding.memo,
      })) as SelfCheckStatus;
      expect(result).toMatchObject({ phase: 'done', effectApplied: true });
      expect(await db.all('SELECT effect_key FROM side_effects WHERE effect_key = ?', [workflowId])).toHaveLength(1);
    } finally {
      await close();
      await db.close();
    }
  });

  test("a worker holding another store refuses the run's activity at once, naming both stores and the fix", async () => {
    // Both homes set the same REFINERY_TASK_QUEUE: the mistake the check exists for.
    const shared = uniqueId('shared-queue');
    const configA = home({ REFINERY_TASK_QUEUE: shared });
    const dbA = await openStore(configA.databaseUrl);
    const { store: storeA } = await runBinding(configA, dbA);
    await dbA.close();
    const b = await start(home({ REFINERY_TASK_QUEUE: shared }));
    expect(b.taskQueue).toBe(shared);
    expect(storeTaskQueue(configA, storeA)).toBe(shared);

    const { client, close } = await testClient();
    try {
      const workflowId = uniqueId('self-check');
      const handle = await client.workflow.start('selfCheckWorkflow', {
        taskQueue: shared,
        workflowId,
        args: [{ effectKey: workflowId }],
        memo: storeMemo(storeA),
      });
      const err: unknown = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const activityFailure = (err as WorkflowFailedError).cause;
      expect(activityFailure).toBeInstanceOf(ActivityFailure);
      const failure = (activityFailure as ActivityFailure).cause as ApplicationFailure;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.type).toBe(STORE_MISMATCH);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain(`store ${storeA.id} (${storeA.label})`);
      expect(failure.message).toContain(`store ${b.store.id} (${b.store.label})`);
      expect(failure.message).toContain('REFINERY_TASK_QUEUE');
      expect(failure.message).toContain('REFINERY_DATABASE_URL');

      // Refused at once: one attempt (the workflow allows ten), and nothing written to the wrong store.
      const history = await handle.fetchHistory();
      const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
      expect(attempts.map((e) => e.activityTaskStartedEventAttributes!.attempt)).toEqual([1]);
      expect(await b.db.all('SELECT effect_key FROM side_effects WHERE effect_key = ?', [workflowId])).toEqual([]);
    } finally {
      await close();
    }
  });

  test("the store travels from the run to its child workflow and onto the child's activities", async () => {
    const a = await start(home());
    const db = a.db;
    const actor = { subject: 'ana', admin: true, ownerRole: true };
    for (const t of ['Hello {{name}}', 'Hi {{name}}!'])
      await recordVersion(
        db,
        'greet',
        { type: 'text', text: t, variables: ['name'] },
        { rationale: 't', author: 'ana' },
      );
    await moveLabel(db, { name: 'greet', label: 'production', version: 1, actor, reason: 'launch' });
    const ds = await addDatasetVersion(db, {
      name: 'greet-set',
      cases: [
        {
          id: 'a',
          vars: { name: 'Ana' },
          assertions: [{ type: 'contains', value: 'Bonjour' }],
          tags: [],
          required: true,
        },
      ],
      source: 'greet-set.jsonl',
      author: 'ana',
    });
    const input: RolloutInput = {
      rolloutId: uniqueId('ro'),
      name: 'greet',
      candidateVersion: 2,
      steps: [10, 100],
      bakeMs: 60_000,
      evaluationIntervalMs: 10_000,
      approval: { required: false, timeoutMs: 60_000, approvers: ['ana'] },
      gate: { dataset: 'greet-set', datasetVersion: ds.version, passRateThreshold: 1 },
      startedBy: 'test',
    };
    const binding = await runBinding(home(), db);
    const { client, close } = await testClient();
    try {
      // The gate (a child eval run) fails the candidate, so the rollout ends before any bake.
      const handle = await client.workflow.start('rolloutWorkflow', {
        taskQueue: a.taskQueue,
        workflowId: input.rolloutId,
        args: [input],
        memo: binding.memo,
      });
      expect(((await handle.result()) as RolloutStatus).phase).toBe('rejected');
      const parentEvents = (await handle.fetchHistory()).events ?? [];
      const childId = parentEvents.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)!
        .startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!;
      const child = client.workflow.getHandle(childId);
      expect((await child.describe()).memo?.[STORE_MEMO_KEY]).toEqual({ id: a.store.id, label: a.store.label });
      const scheduled = ((await child.fetchHistory()).events ?? []).filter(
        (e) => e.activityTaskScheduledEventAttributes,
      );
      expect(scheduled.length).toBeGreaterThan(0);
      for (const e of scheduled)
        expect(Object.keys(e.activityTaskScheduledEventAttributes!.header?.fields ?? {})).toContain(STORE_HEADER);
    } finally {
      await close();
    }
  });

  test('a worker closes, on its own, the store rows of runs terminated as workflows', async () => {
    const w = await start(home(), 100);
    const { client, close } = await testClient();
    try {
      // Started where no worker polls and terminated before any step: only the reconciler can close the row.
      const workflowId = uniqueId('tune');
      await client.workflow.start('tuneWorkflow', { taskQueue: uniqueId('nowhere'), workflowId, args: [{}] });
      await createTuneRun(w.db, { runId: workflowId, workflowId, skills: ['s'], settings: {}, startedBy: 't' });
      await client.workflow.getHandle(workflowId).terminate('test: terminated as a workflow');
      const row = await eventually(
        async () => {
          const r = await w.db.get<{ status: string; termination: string }>(
            'SELECT status, termination FROM tune_runs WHERE run_id = ?',
            [workflowId],
          );
          return r?.status === 'failed' ? r : undefined;
        },
        30_000,
        "the worker's reconciler to close the row",
      );
      expect(row.termination).toBe('workflow-terminated');
    } finally {
      await close();
    }
  });
});
