import { randomBytes } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import type { AbInput, AbStatus } from '../../src/rollout/ab-types';
import { ExperimentRunningError, getRollout, runningExperiment, startSplit } from '../../src/rollout/rollout-store';
import { abStopSignal, abStopUpdate } from '../../src/shared';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { runCli } from '../support/cli';
import { sharedTestEnv } from '../support/shared-env';
import { describeEachStore } from '../support/store-backends';
import { eventually, testClient, uniqueId } from '../support/temporal';

const EXIT_ALREADY_RUNNING = 3;

describeEachStore('A/B stop and one experiment per prompt (dev server)', (backend) => {
  let db: Db;
  let dbUrl: string;
  let worker: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  let temporal: Awaited<ReturnType<typeof testClient>>;
  const taskQueue = uniqueId('tq-ab');
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    dbUrl = await backend.freshUrl();
    db = await openStore(dbUrl);
    connection = await NativeConnection.connect({ address: sharedTestEnv().temporalAddress });
    worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db }),
    });
    running = worker.run();
    temporal = await testClient();
    cliEnv = {
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_DATABASE_URL: dbUrl,
      REFINERY_USER: 'ana',
      REFINERY_ADMINS: 'ana',
    };
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await temporal?.close();
    await db?.close();
  });

  /** A prompt of its own per test (rollout workflow ids are per name, and the dev server is shared). */
  async function prompt(): Promise<string> {
    const name = `ab-x-${randomBytes(4).toString('hex')}`;
    const actor = { subject: 'ana', admin: true, ownerRole: true };
    for (const t of ['one', 'two', 'three'])
      await recordVersion(db, name, { type: 'text', text: t, variables: [] }, { rationale: 't', author: 'ana' });
    await moveLabel(db, { name, label: 'production', version: 1, actor, reason: 'launch' });
    return name;
  }
  const abArgs = (name: string) => [
    'ab',
    name,
    '--variants',
    '2,3',
    '--metric',
    'thumbs-down-rate',
    '--interval',
    '10s',
  ];

  test('`ab stop` (an update): the split goes back to 0 %, the test ends stopped with who stopped it; meanwhile a second A/B test and a rollout are refused', async () => {
    const name = await prompt();
    const started = await runCli(abArgs(name), cliEnv);
    expect(started.code).toBe(0);
    const abId = /A\/B test (\S+) started/.exec(started.out)?.[1];
    expect(abId).toMatch(new RegExp(`^ab-${name}-`));
    await eventually(async () => (await getRollout(db, abId!))?.status === 'running', 30_000, 'the split row');
    expect(await getRollout(db, abId!)).toMatchObject({ kind: 'ab', percent: 50 });

    const second = await runCli(abArgs(name), cliEnv);
    expect(second.code).toBe(EXIT_ALREADY_RUNNING);
    expect(second.out).toContain(`already has a running A/B test (${abId})`);
    const rollout = await runCli(['rollout', name, '--version', '3', '--no-gate', '--no-approval'], cliEnv);
    expect(rollout.code).toBe(EXIT_ALREADY_RUNNING);
    expect(rollout.out).toContain(`already has a running A/B test (${abId})`);
    expect(rollout.out).toContain(`refinery ab stop ${name}`);
    // Past the CLI (a race): the rollout's planning activity refuses too, non-retryably.
    const acts = createActivities({ db });
    const planned = await acts.planRollout({ name, candidateVersion: 3 }).catch((e: unknown) => e);
    expect(planned).toBeInstanceOf(ApplicationFailure);
    expect(planned).toMatchObject({ type: 'RolloutRefused', nonRetryable: true });
    expect((planned as Error).message).toContain(abId);

    const stopped = await runCli(['ab', 'stop', name, '--by', 'bo', '--reason', 'enough seen'], cliEnv);
    expect(stopped.code).toBe(0);
    expect(stopped.out).toContain('stop of');
    expect(stopped.out).toContain(`${abId}: stopped by bo`);
    const status = (await temporal.client.workflow.getHandle(abId!).result()) as AbStatus;
    expect(status).toMatchObject({ phase: 'stopped', stoppedBy: 'bo', stopReason: 'enough seen' });
    expect(await getRollout(db, abId!)).toMatchObject({ percent: 0, status: 'stopped' });
    expect(await runningExperiment(db, name)).toBeUndefined();
    const event = await db.get<{ kind: string; detail: string }>(
      'SELECT kind, detail FROM rollout_events WHERE rollout_id = ?',
      [abId!],
    );
    expect(event?.kind).toBe('stopped');
    expect(event?.detail).toContain('stopped by bo: enough seen');

    const again = await runCli(['ab', 'stop', name], cliEnv);
    expect(again.code).toBe(2);
    expect(again.out).toContain(`no A/B test of "${name}" is running`);
  });

  test('a stop signal (the Web UI) ends the test the same way; the update validator refuses a stop without a name', async () => {
    const name = await prompt();
    const input: AbInput = {
      abId: uniqueId(`ab-${name}`),
      name,
      variants: [2, 3],
      split: [50, 50],
      metric: 'thumbs-down-rate',
      minSamples: 1000,
      checkIntervalMs: 10_000,
      maxDurationMs: 86_400_000,
    };
    const handle = await temporal.client.workflow.start('abTestWorkflow', {
      taskQueue,
      workflowId: input.abId,
      args: [input],
    });
    await eventually(async () => (await getRollout(db, input.abId))?.status === 'running', 30_000, 'the split row');
    const refused = await handle.executeUpdate(abStopUpdate, { args: [{ by: '' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toContain('say who stops the test');

    await handle.signal(abStopSignal, { by: 'cy', reason: 'from the Web UI' });
    const status = (await handle.result()) as AbStatus;
    expect(status).toMatchObject({ phase: 'stopped', stoppedBy: 'cy', stopReason: 'from the Web UI' });
    expect(await getRollout(db, input.abId)).toMatchObject({ percent: 0, status: 'stopped' });
  });

  test('an A/B test is refused while a rollout runs: awaiting approval (its workflow), splitting (its row), and inside abStart', async () => {
    const name = await prompt();
    const rollout = await runCli(
      ['rollout', name, '--version', '3', '--no-gate', '--steps', '10,100', '--bake', '1h'],
      cliEnv,
    );
    expect(rollout.code).toBe(0);
    const handle = temporal.client.workflow.getHandle(`rollout-${name}`);
    await eventually(
      async () => (await handle.query<{ phase: string }>('status')).phase === 'awaiting-approval',
      30_000,
      'the rollout to await approval',
    );
    // No split row yet: the CLI sees the rollout's workflow.
    const early = await runCli(abArgs(name), cliEnv);
    expect(early.code).toBe(EXIT_ALREADY_RUNNING);
    expect(early.out).toContain(`already has a running rollout (workflow rollout-${name})`);

    expect((await runCli(['rollout', 'approve', name, '--by', 'ana'], cliEnv)).code).toBe(0);
    const row = await eventually(async () => runningExperiment(db, name), 30_000, 'the rollout to split');
    expect(row.kind).toBe('rollout');
    const late = await runCli(abArgs(name), cliEnv);
    expect(late.code).toBe(EXIT_ALREADY_RUNNING);
    expect(late.out).toContain(`already has a running rollout (${row.rolloutId})`);
    expect(late.out).toContain(`refinery rollout abort ${name}`);

    // Past the CLI (a race): the A/B workflow's start activity refuses, non-retryably, and writes no split.
    const abId = uniqueId(`ab-${name}`);
    const ab = temporal.client.workflow.start('abTestWorkflow', {
      taskQueue,
      workflowId: abId,
      args: [
        {
          abId,
          name,
          variants: [2, 3],
          split: [50, 50],
          metric: 'thumbs-down-rate',
          minSamples: 1000,
          checkIntervalMs: 10_000,
          maxDurationMs: 86_400_000,
        } satisfies AbInput,
      ],
    });
    const failure = await (await ab).result().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toMatchObject({ type: 'ExperimentRunning', nonRetryable: true });
    expect((cause as Error).message).toContain(row.rolloutId);
    expect(await getRollout(db, abId)).toBeUndefined();

    expect((await runCli(['rollout', 'abort', name, '--by', 'ana'], cliEnv)).code).toBe(0);
    await eventually(async () => (await runningExperiment(db, name)) === undefined, 30_000, 'the rollout to end');
  });

  test('`ab stop` on a split whose workflow was terminated sets it to 0 % in the store', async () => {
    const name = await prompt();
    const started = await runCli(abArgs(name), cliEnv);
    const abId = /A\/B test (\S+) started/.exec(started.out)![1]!;
    await eventually(async () => (await getRollout(db, abId))?.status === 'running', 30_000, 'the split row');
    await temporal.client.workflow.getHandle(abId).terminate('lost');
    const stopped = await runCli(['ab', 'stop', name, '--by', 'ana'], cliEnv);
    expect(stopped.code).toBe(0);
    expect(stopped.out).toContain('no workflow watched this split any more');
    expect(await getRollout(db, abId)).toMatchObject({ percent: 0, status: 'stopped' });
  });

  test('a start from outside the CLI is held to the same bounds: an interval under 10 s fails the workflow, no split written', async () => {
    const name = await prompt();
    const abId = uniqueId(`ab-${name}`);
    const input: AbInput = {
      abId,
      name,
      variants: [2, 3],
      split: [50, 50],
      metric: 'thumbs-down-rate',
      minSamples: 1000,
      checkIntervalMs: 1000,
      maxDurationMs: 86_400_000,
    };
    const handle = await temporal.client.workflow.start('abTestWorkflow', {
      taskQueue,
      workflowId: abId,
      args: [input],
    });
    const failure = await handle.result().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'BadInput', nonRetryable: true });
    expect((failure as WorkflowFailedError).cause?.message).toContain('at least 10s');
    expect(await getRollout(db, abId)).toBeUndefined();
  });

  test('two experiments racing to split one name: exactly one wins, the other is told which one runs', async () => {
    const name = await prompt();
    const row = (id: string) => ({
      rolloutId: id,
      name,
      kind: 'ab' as const,
      controlVersion: 2,
      candidateVersion: 3,
      percent: 50,
      salt: id,
      status: 'running',
      step: 1,
    });
    const ids = ['race-a', 'race-b', 'race-c'].map((p) => `${p}-${name}`);
    const results = await Promise.allSettled(ids.map((id) => startSplit(db, row(id))));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [ids[i]!] : []));
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(ExperimentRunningError);
      expect((r.reason as ExperimentRunningError).running.rolloutId).toBe(won[0]);
    }
    // Starting again under the winner's own id (a retried activity) is not a conflict.
    await expect(startSplit(db, row(won[0]!))).resolves.toBeUndefined();
    expect((await runningExperiment(db, name))?.rolloutId).toBe(won[0]);
  });
});
