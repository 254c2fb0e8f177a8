import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { startImprove } from '../../src/clients/improve';
import { buildImproveInput } from '../../src/cli/improve-input';
import type { ImproveStatus } from '../../src/improve/types';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { storeIdentity } from '../../src/store/store-identity';
import { storeMemo } from '../../src/temporal/store-binding';
import { sharedTestEnv } from '../support/shared-env';
import { timeSkippingEnv } from '../support/time-skipping';
import { eventually, tempDir, uniqueId } from '../support/temporal';

// Stopping and skipping steps of `refinery improve`, and the review's timeout, on the time-skipping server (the
// review wait is days long; the server skips it).

let env: TestWorkflowEnvironment;
let db: Db;
beforeAll(async () => {
  env = await timeSkippingEnv();
  db = await openStore(`sqlite:${path.join(tempDir('improve-control'), 'r.db')}`);
  await recordVersion(
    db,
    'greet',
    { type: 'text', text: 'Hello {{input}}', variables: ['input'] },
    { rationale: 'r', author: 'ana' },
  );
});
afterAll(async () => {
  await db?.close();
  await env?.teardown();
});

async function withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueId('tq');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
    activities: createActivities({ db }),
  });
  return worker.runUntil(fn(taskQueue));
}

async function start(taskQueue: string, flags: Parameters<typeof buildImproveInput>[1] = {}) {
  const input = buildImproveInput('greet', { 'review-timeout': '2d', ...flags }, uniqueId('imp'), 'ana');
  const { handle } = await startImprove(env.client, { taskQueue, memo: storeMemo(await storeIdentity(db)) }, input);
  return handle;
}

const stateOf = (s: ImproveStatus, step: string) => s.steps.find((x) => x.step === step)!.state;

test('a stop during the review wait ends the run there, saying who stopped it', async () => {
  await withWorker(async (taskQueue) => {
    const handle = await start(taskQueue);
    await eventually(async () => stateOf(await handle.query<ImproveStatus>('status'), 'review') === 'waiting');
    await handle.executeUpdate('control', { args: [{ action: 'stop', by: 'ana', note: 'not now' }] });
    const s = await handle.result();
    expect(s.outcome).toBe('stopped by ana at the review step');
    expect(s.steps.map((x) => x.state)).toEqual([
      'done',
      'stopped',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
  });
});

test('skips: a later step marked at once, the current wait ended; with no accepted case there is nothing to tune', async () => {
  await withWorker(async (taskQueue) => {
    const handle = await start(taskQueue, { skip: 'harvest' });
    await eventually(async () => stateOf(await handle.query<ImproveStatus>('status'), 'review') === 'waiting');
    await handle.executeUpdate('control', { args: [{ action: 'skip', step: 'check', by: 'rita' }] });
    expect(stateOf(await handle.query<ImproveStatus>('status'), 'check')).toBe('skipped');
    // A signal (as the Web UI sends) skips the review wait itself.
    await handle.signal('control', { action: 'skip', by: 'rita' });
    const s = await handle.result();
    expect(s.steps.map((x) => x.state).slice(0, 2)).toEqual(['skipped', 'skipped']);
    expect(s.steps.find((x) => x.step === 'review')!.detail).toContain('unauthenticated');
    expect(s.outcome).toBe('nothing to tune: the review accepted no cases');
  });
});

test('steps skipped ahead are each visited: with the rollout skipped the run ends there, nothing shipped and nothing checked', async () => {
  await withWorker(async (taskQueue) => {
    const handle = await start(taskQueue, { skip: 'harvest' });
    await eventually(async () => stateOf(await handle.query<ImproveStatus>('status'), 'review') === 'waiting');
    const admin = { by: 'root', authenticated: true, admin: true };
    for (const c of [
      { action: 'skip', step: 'tune', version: 1, by: 'ana' },
      { action: 'skip', step: 'gate', ...admin },
      { action: 'skip', step: 'approval', ...admin },
      { action: 'skip', step: 'rollout', by: 'ana' },
    ])
      await handle.executeUpdate('control', { args: [c] });
    await handle.signal('control', { action: 'skip', by: 'rita' });
    const s = await handle.result();
    expect(s.outcome).toBe('the rollout was skipped: nothing shipped');
    expect(s.steps.map((x) => x.state)).toEqual([
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'pending',
    ]);
    expect(s.rollout).toBeUndefined();
    expect(s.check).toBeUndefined();
  });
});

test('the review times out and the run goes on with the cases accepted so far', async () => {
  await withWorker(async (taskQueue) => {
    const handle = await start(taskQueue);
    const s = await handle.result();
    expect(s.steps.find((x) => x.step === 'review')).toMatchObject({
      state: 'done',
      detail: expect.stringMatching(/timed out/),
    });
    expect(s.outcome).toBe('nothing to tune: the review accepted no cases');
  });
});
