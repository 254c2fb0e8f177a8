import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import type { AbInput, AbStatus } from '../../src/rollout/ab-types';
import { abStatusQuery } from '../../src/shared';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, tempDir, uniqueId } from '../support/temporal';
import { timeSkippingEnv } from '../support/time-skipping';

let env: TestWorkflowEnvironment;
beforeAll(async () => (env = await timeSkippingEnv()));
afterAll(() => env?.teardown());

async function trafficThrough(
  api: ApiServer,
  units: number,
  downRate: Record<number, number>,
  tag: string,
): Promise<Record<number, number>> {
  const h = { authorization: 'Bearer tok', 'content-type': 'application/json' };
  const seen: Record<number, number> = {};
  const runs = [];
  const feedback = [];
  let x = 42;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < units; i++) {
    const r = (await (await fetch(`${api.url}/v1/resolve/greet?unit=${tag}-${i}`, { headers: h })).json()) as {
      version: number;
    };
    seen[r.version] = (seen[r.version] ?? 0) + 1;
    const id = `${tag}-run-${String(i).padStart(6, '0')}`;
    runs.push({ id, name: 'greet', version: r.version });
    feedback.push({ id: `${id}-fb`, runId: id, thumbs: next() < downRate[r.version]! ? 'down' : 'up' });
  }
  for (let i = 0; i < runs.length; i += 500) {
    for (const [path_, body] of [
      ['runs', { runs: runs.slice(i, i + 500) }],
      ['feedback', { feedback: feedback.slice(i, i + 500) }],
    ] as const) {
      const res = await fetch(`${api.url}/v1/${path_}`, { method: 'POST', headers: h, body: JSON.stringify(body) });
      expect(`${path_} ${res.status} ${await res.text()}`).toMatch(new RegExp(`^${path_} 202 `));
    }
  }
  return seen;
}

async function runAb(downRate: Record<number, number>) {
  const db: Db = await openStore(`sqlite:${path.join(tempDir('ab'), 'r.db')}`);
  const actor = { subject: 'ana', admin: true, ownerRole: true };
  for (const t of ['one', 'two', 'three'])
    await recordVersion(db, 'greet', { type: 'text', text: t, variables: [] }, { rationale: 't', author: 'ana' });
  await moveLabel(db, { name: 'greet', label: 'production', version: 1, actor, reason: 'launch' });
  const api = await startApiServer(db, { port: 0, bootstrapToken: 'tok', pollMs: 50 });
  const taskQueue = uniqueId('tq');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
    activities: createActivities({ db }),
  });
  const running = worker.run();
  try {
    const input: AbInput = {
      abId: uniqueId('ab'),
      name: 'greet',
      variants: [2, 3],
      split: [50, 50],
      metric: 'thumbs-down-rate',
      minSamples: 800,
      checkIntervalMs: 60_000,
      maxDurationMs: 24 * 3600_000,
    };
    const handle = await env.client.workflow.start('abTestWorkflow', {
      taskQueue,
      workflowId: input.abId,
      args: [input],
    });
    await eventually(async () => (await handle.query(abStatusQuery)).phase === 'running', 30_000, 'the test to start');
    // Traffic only once the API serves the split (its feed lags a change by up to one poll).
    await eventually(
      async () => {
        const res = await fetch(`${api.url}/v1/resolve/greet?unit=probe`, { headers: { authorization: 'Bearer tok' } });
        return ((await res.json()) as { rollout?: { kind: string } }).rollout?.kind === 'ab';
      },
      10_000,
      'the split to be served',
    );
    const seen = await trafficThrough(api, 2000, downRate, 'u');
    expect(seen[1]).toBeUndefined(); // units land on the two variants, never on production v1
    await env.sleep(60_000);
    const status = (await handle.result()) as AbStatus;
    return { status, seen };
  } finally {
    worker.shutdown();
    await running;
    await api.close();
    await db.close();
  }
}

describe('abTestWorkflow (time-skipping server, traffic through the API)', () => {
  test('a clearly better variant wins, with effect size and a confidence interval', async () => {
    const { status, seen } = await runAb({ 2: 0.2, 3: 0.1 });
    expect(Math.abs(seen[2]! - seen[3]!) / 2000).toBeLessThan(0.06); // 50/50 within noise
    expect(status.phase).toBe('decided');
    expect(status.verdict).toMatchObject({ metric: 'thumbs-down-rate', decision: 'b-better' });
    expect(status.verdict!.effect).toBeLessThan(-0.05);
    expect(status.verdict!.ci95[1]).toBeLessThan(0);
  });

  test('equal variants end with no significant difference', async () => {
    const { status } = await runAb({ 2: 0.15, 3: 0.15 });
    expect(status.verdict?.decision).toBe('no-significant-difference');
    expect(status.verdict!.ci95[0]).toBeLessThan(0);
    expect(status.verdict!.ci95[1]).toBeGreaterThan(0);
  });
});
