import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { startApiServer } from '../src/api/server';
import { moveLabel } from '../src/library/label-store';
import { recordFeedback, recordRuns } from '../src/library/records';
import { recordVersion } from '../src/library/versions';
import { createResolver } from '../src/resolver';
import { emergencyRollback } from '../src/rollout/emergency';
import { upsertRollout } from '../src/rollout/rollout-store';
import type { RolloutStatus } from '../src/rollout/types';
import { openStore } from '../src/store/open';
import { median } from './stats';

// The shortest evaluation interval a rollout accepts (rollout/plan.ts MIN_INTERVAL_MS).
const INTERVAL_MS = 10_000;

/**
 * Guarded rollouts: the time from a breach appearing in the data to control being served again
 * (goal ≤ one evaluation interval + 1 s), and from an emergency rollback to a resolver serving
 * control (goal ≤ 1 s).
 */
export async function rolloutBench(temporalAddress: string, bundlePath: string, trials: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rollout-'));
  const db = await openStore(`sqlite:${path.join(dir, 'r.db')}`);
  const actor = { subject: 'bench', admin: true, ownerRole: true };
  for (const t of ['control', 'candidate'])
    await recordVersion(db, 'greet', { type: 'text', text: t, variables: [] }, { rationale: 'bench', author: 'bench' });
  await moveLabel(db, { name: 'greet', label: 'production', version: 1, actor, reason: 'bench' });
  const api = await startApiServer(db, { port: 0, bootstrapToken: 'bench', pollMs: 100 });
  const resolver = createResolver({ baseUrl: api.url, token: 'bench', onError: () => undefined });
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  const taskQueue = `bench-rollout-${process.pid}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { codePath: bundlePath },
    activities: createActivities({ db }),
  });
  const breachToControl: number[] = [];
  const emergencyToResolver: number[] = [];
  await worker.runUntil(async () => {
    for (let t = 0; t < trials; t++) {
      const rolloutId = `bench-ro-${process.pid}-${t}`;
      const handle = await client.workflow.start('rolloutWorkflow', {
        taskQueue,
        workflowId: rolloutId,
        args: [
          {
            rolloutId,
            name: 'greet',
            candidateVersion: 2,
            steps: [100],
            bakeMs: 10 * 60_000,
            evaluationIntervalMs: INTERVAL_MS,
            approval: { required: false, timeoutMs: 1, approvers: [] },
            guard: { minSamples: 100 },
            startedBy: 'bench',
          },
        ],
      });
      // Wait until units are on the candidate, then put a breach into the data in one go.
      const unit = `unit-${t}`;
      while ((await resolver.get('greet', { unit })).version !== 2) await new Promise((r) => setTimeout(r, 20));
      const now = new Date().toISOString();
      const runs = Array.from({ length: 800 }, (_, i) => ({
        id: `b-${t}-${i}`,
        name: 'greet',
        version: i % 2 ? 2 : 1,
        corrected: false,
        regenerated: false,
        at: now,
      }));
      await recordRuns(db, runs);
      await recordFeedback(
        db,
        runs.map((r, i) => ({
          id: `f-${r.id}`,
          runId: r.id,
          thumbs: (r.version === 2 ? i % 10 < 4 : i % 10 < 1) ? ('down' as const) : ('up' as const),
        })),
      );
      const t0 = performance.now();
      while ((await resolver.get('greet', { unit })).version !== 1) await new Promise((r) => setTimeout(r, 5));
      breachToControl.push(performance.now() - t0);
      const result = (await handle.result()) as RolloutStatus;
      if (result.phase !== 'rolled-back') throw new Error(`expected an automatic rollback, got ${result.phase}`);
    }
    for (let t = 0; t < trials; t++) {
      await upsertRollout(db, {
        rolloutId: `bench-em-${t}`,
        name: 'greet',
        kind: 'rollout',
        controlVersion: 1,
        candidateVersion: 2,
        percent: 100,
        salt: `em-${t}`,
        status: 'running',
        step: 1,
      });
      const unit = `em-unit-${t}`;
      while ((await resolver.get('greet', { unit })).version !== 2) await new Promise((r) => setTimeout(r, 5));
      const t0 = performance.now();
      await emergencyRollback(db, { name: 'greet', actor, reason: 'bench', windowMs: 0 });
      while ((await resolver.get('greet', { unit })).version !== 1) await new Promise((r) => setTimeout(r, 2));
      emergencyToResolver.push(performance.now() - t0);
    }
  });
  await resolver.close();
  await api.close();
  await connection.close();
  await nativeConnection.close();
  await db.close();
  const round = (xs: number[]) => xs.map((x) => Math.round(x));
  return {
    name: 'rollout',
    breachToControlServingMs: {
      median: Math.round(median(breachToControl)),
      max: Math.round(Math.max(...breachToControl)),
      samples: round(breachToControl),
      goal: `<= evaluation interval (${INTERVAL_MS} ms) + 1000 ms`,
    },
    emergencyRollbackToResolverMs: {
      median: Math.round(median(emergencyToResolver)),
      max: Math.round(Math.max(...emergencyToResolver)),
      samples: round(emergencyToResolver),
      goal: '<= 1000 ms',
    },
  };
}
