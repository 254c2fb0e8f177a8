import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../src/activities';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { getLabels, moveLabel } from '../../src/library/label-store';
import { recordFeedback, recordRuns, type FeedbackRecord, type RunRecord } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import type { RolloutInput, RolloutStatus } from '../../src/rollout/types';
import { SIGNAL_MARK } from '../../src/user-identity';
import { approveSignal, approveUpdate, controlUpdate, rolloutStatusQuery } from '../../src/shared';
import type { Db } from '../../src/store/db';
import { addDatasetVersion } from '../../src/store/evals';
import { openStore } from '../../src/store/open';
import { describeEachStore, type StoreBackend } from '../support/store-backends';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, tempDir, uniqueId } from '../support/temporal';
import { timeSkippingEnv } from '../support/time-skipping';
import { MARKER_KEY } from '../support/tune-harness';
import { startFakeAnthropic } from '../fakes/fake-anthropic';

const TOKEN = 'rollout-test-admin';
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(() => env?.teardown());

interface Rig {
  db: Db;
  api: ApiServer;
  taskQueue: string;
  run: Promise<void>;
  close(): Promise<void>;
}

/** `backend`: a store from describeEachStore, for the tests whose store behaviour differs by backend. */
async function rig(providers?: ActivityDeps['providers'], backend?: StoreBackend): Promise<Rig> {
  const db = backend ? await backend.open() : await openStore(`sqlite:${path.join(tempDir('rollout'), 'r.db')}`);
  const actor = { subject: 'ana', admin: true, ownerRole: true };
  for (const t of ['Hello {{name}}', 'Hi {{name}}!', 'Hey {{name}}'])
    await recordVersion(db, 'greet', { type: 'text', text: t, variables: ['name'] }, { rationale: 't', author: 'ana' });
  await moveLabel(db, { name: 'greet', label: 'production', version: 1, actor, reason: 'launch' });
  const api = await startApiServer(db, { port: 0, bootstrapToken: TOKEN, pollMs: 50 });
  const taskQueue = uniqueId('tq');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
    activities: createActivities({ db, providers }),
  });
  const run = worker.run();
  return {
    db,
    api,
    taskQueue,
    run,
    async close() {
      worker.shutdown();
      await run;
      await api.close();
      await db.close();
    },
  };
}

let seq = 0;
/**
 * Synthetic traffic through the API: each unit resolves its version by unit id (so it lands in its
 * sticky arm), then records a run and a thumbs up or down, down with the given probability per arm.
 */
async function traffic(
  api: ApiServer,
  units: number,
  downRate: { control: number; canary: number },
  candidate: number,
) {
  const h = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const runs: unknown[] = [];
  const feedback: unknown[] = [];
  let rand = 12345 + seq * 7919;
  const next = () => (rand = (rand * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < units; i++) {
    const unit = `u-${seq}-${i}`;
    const r = (await (await fetch(`${api.url}/v1/resolve/greet?unit=${unit}`, { headers: h })).json()) as {
      version: number;
    };
    const id = `run-${seq}-${i}-${Math.random().toString(36).slice(2)}`;
    runs.push({
      id,
      name: 'greet',
      version: r.version,
      unitId: unit,
      latencyMs: 100,
      inputTokens: 20,
      outputTokens: 30,
      formatOk: true,
    });
    const p = r.version === candidate ? downRate.canary : downRate.control;
    feedback.push({ id: `fb-${id}`, runId: id, thumbs: next() < p ? 'down' : 'up' });
  }
  seq++;
  for (let i = 0; i < runs.length; i += 500) {
    expect(
      (
        await fetch(`${api.url}/v1/runs`, {
          method: 'POST',
          headers: h,
          body: JSON.stringify({ runs: runs.slice(i, i + 500) }),
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await fetch(`${api.url}/v1/feedback`, {
          method: 'POST',
          headers: h,
          body: JSON.stringify({ feedback: feedback.slice(i, i + 500) }),
        })
      ).status,
    ).toBe(202);
  }
}

/** Healthy runs with a vote each for both arms, stored directly (stamped now: inside the rollout's window). */
async function seed(db: Db, perArm: number, versions: { control: number; canary: number }) {
  const runs: RunRecord[] = [];
  const feedback: FeedbackRecord[] = [];
  for (const version of [versions.control, versions.canary]) {
    for (let i = 0; i < perArm; i++) {
      const id = `${uniqueId('seed')}-${version}-${i}`;
      runs.push({
        id,
        name: 'greet',
        version,
        latencyMs: 100 + (i % 7),
        inputTokens: 20,
        outputTokens: 30 + (i % 3),
        formatOk: true,
        corrected: false,
        regenerated: false,
      });
      feedback.push({ id: `fb-${id}`, runId: id, thumbs: i % 10 === 0 ? 'down' : 'up' });
    }
  }
  await recordRuns(db, runs);
  await recordFeedback(db, feedback);
}

const baseInput = (over: Partial<RolloutInput> = {}): RolloutInput => ({
  rolloutId: uniqueId('ro'),
  name: 'greet',
  candidateVersion: 2,
  // The first step gets enough units for the guard's 100 samples per arm: no step without evidence.
  steps: [10, 25, 50, 100],
  bakeMs: 60 * 60 * 1000,
  evaluationIntervalMs: 10 * 60 * 1000,
  approval: { required: false, timeoutMs: 24 * 3600 * 1000, approvers: ['ana'] },
  guard: { minSamples: 100 },
  startedBy: 'test',
  ...over,
});

const startRollout = (r: Rig, input: RolloutInput) =>
  env.client.workflow.start('rolloutWorkflow', { taskQueue: r.taskQueue, workflowId: input.rolloutId, args: [input] });

async function drive(r: Rig, input: RolloutInput, downRate: { control: number; canary: number }, unitsPerStep = 3000) {
  const handle = await startRollout(r, input);
  for (let step = 1; step <= input.steps.length; step++) {
    const s = await eventually(
      async () => {
        const q = await handle.query(rolloutStatusQuery);
        return q.step >= step || ['promoted', 'rolled-back', 'rejected', 'aborted'].includes(q.phase) ? q : undefined;
      },
      30_000,
      `step ${step}`,
    );
    if (s.phase !== 'baking') break;
    // Traffic only once the API serves this step's share (its feed lags a move by up to one poll).
    await eventually(
      async () => {
        const res = await fetch(`${r.api.url}/v1/resolve/greet?unit=probe`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return ((await res.json()) as { rollout?: { percent: number } }).rollout?.percent === s.percent;
      },
      10_000,
      `the API to serve ${s.percent}%`,
    );
    await traffic(r.api, unitsPerStep, downRate, input.candidateVersion);
    await env.sleep(input.bakeMs); // the bake's timers pass in server time; the guard looks at each interval
  }
  return { handle, result: (await handle.result()) as RolloutStatus };
}

describe('rolloutWorkflow (time-skipping server, traffic through the API)', () => {
  test('a healthy canary is promoted after all steps', async () => {
    const r = await rig();
    try {
      const { result } = await drive(r, baseInput(), { control: 0.1, canary: 0.1 });
      expect(result.phase).toBe('promoted');
      expect(result.events.filter((e) => e.kind === 'step').map((e) => e.detail)).toEqual([
        '10% of units see version 2',
        '25% of units see version 2',
        '50% of units see version 2',
        '100% of units see version 2',
      ]);
      expect((await getLabels(r.db, 'greet')).production).toBe(2);
      // The guard really looked: by the last step both arms had hundreds of runs.
      const last = result.events.filter((e) => e.kind === 'guard').at(-1)!.detail;
      const [control, canary] = /with (\d+) control and (\d+) canary runs/.exec(last)!.slice(1).map(Number);
      expect(control).toBeGreaterThan(1000);
      expect(canary).toBeGreaterThan(500);
      // Every guard event says how many samples each arm had against the minimum.
      for (const e of result.events.filter((x) => x.kind === 'guard'))
        expect(e.detail).toMatch(/fewest samples on a guard signal: control \d+, canary \d+ \(minimum 100\)/);
      const moves = await r.db.all<{ reason: string }>(
        "SELECT reason FROM label_moves WHERE name = 'greet' AND label = 'production' ORDER BY seq",
      );
      expect(moves.at(-1)!.reason).toMatch(/^rollout ro-/);
    } finally {
      await r.close();
    }
  });

  test('a degraded canary (thumbs-down twice control) is rolled back at the first step', async () => {
    const r = await rig();
    try {
      const { result } = await drive(r, baseInput(), { control: 0.1, canary: 0.2 });
      expect(result.phase).toBe('rolled-back');
      expect(result.outcome).toMatch(/automatic rollback at 10%: .*thumbs-down/);
      expect(result.percent).toBe(0);
      expect((await getLabels(r.db, 'greet')).production).toBe(1);
      // After the rollback every unit gets control again.
      const res = await fetch(`${r.api.url}/v1/resolve/greet?unit=anyone`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(((await res.json()) as { version: number }).version).toBe(1);
    } finally {
      await r.close();
    }
  });

  test('a failed gate stops before any traffic', async () => {
    const r = await rig();
    try {
      const ds = await addDatasetVersion(r.db, {
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
      const input = baseInput({ gate: { dataset: 'greet-set', datasetVersion: ds.version, passRateThreshold: 1 } });
      const handle = await startRollout(r, input);
      const result = (await handle.result()) as RolloutStatus;
      expect(result.phase).toBe('rejected');
      expect(result.outcome).toMatch(/the staging gate failed \(required-case-failed/);
      expect(await r.db.all('SELECT * FROM rollouts WHERE percent > 0')).toEqual([]);
      expect(result.events.map((e) => e.kind)).not.toContain('step');
    } finally {
      await r.close();
    }
  });

  test('an approval that never comes rejects the rollout', async () => {
    const r = await rig();
    try {
      const input = baseInput({ approval: { required: true, timeoutMs: 24 * 3600 * 1000, approvers: ['ana'] } });
      const handle = await startRollout(r, input);
      const result = (await handle.result()) as RolloutStatus;
      expect(result).toMatchObject({ phase: 'rejected', outcome: 'no approval before the timeout' });
    } finally {
      await r.close();
    }
  });

  test('an emergency rollback mid-step takes the candidate away at once', async () => {
    const r = await rig();
    try {
      const input = baseInput();
      const handle = await startRollout(r, input);
      await eventually(async () => (await handle.query(rolloutStatusQuery)).step >= 1, 30_000, 'the first step');
      await expect(handle.executeUpdate(controlUpdate, { args: [{ action: 'resume', by: 'ana' }] })).rejects.toThrow();
      await handle.executeUpdate(controlUpdate, {
        args: [{ action: 'emergency-rollback', by: 'ana', reason: 'users complain' }],
      });
      const result = (await handle.result()) as RolloutStatus;
      expect(result).toMatchObject({ phase: 'rolled-back', percent: 0 });
      expect(result.outcome).toContain('emergency rollback by ana: users complain');
    } finally {
      await r.close();
    }
  });
});

describe('emergency rollback through the API', () => {
  test('stops a running rollout: the split goes to 0 at once and the workflow ends at its next look', async () => {
    const r = await rig();
    try {
      const input = baseInput();
      const handle = await startRollout(r, input);
      await eventually(async () => (await handle.query(rolloutStatusQuery)).step >= 1, 30_000, 'the first step');
      const res = await fetch(`${r.api.url}/v1/library/greet/emergency-rollback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'pager went off' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ stoppedRollout: input.rolloutId });
      expect(await r.db.all('SELECT * FROM rollouts WHERE percent > 0')).toEqual([]);
      await env.sleep(input.evaluationIntervalMs);
      const result = (await handle.result()) as RolloutStatus;
      expect(result).toMatchObject({ phase: 'rolled-back', percent: 0 });
      expect(result.outcome).toContain('stopped outside the workflow (rolled-back)');
    } finally {
      await r.close();
    }
  });
});

describe('approval', () => {
  test('only the owner or an admin approves (update refused otherwise); a signal of the same shape works', async () => {
    const r = await rig();
    try {
      const input = baseInput({
        approval: { required: true, timeoutMs: 24 * 3600 * 1000, approvers: ['ana', 'root'] },
        steps: [100],
        bakeMs: 60_000,
        evaluationIntervalMs: 60_000,
        guard: { minSamples: 5 },
      });
      const handle = await startRollout(r, input);
      await eventually(
        async () => (await handle.query(rolloutStatusQuery)).phase === 'awaiting-approval',
        30_000,
        'approval wait',
      );
      await seed(r.db, 10, { control: 1, canary: 2 });
      await expect(
        handle.executeUpdate(approveUpdate, { args: [{ decision: 'approve', by: 'mallory' }] }),
      ).rejects.toThrow();
      await handle.signal(approveSignal, { decision: 'approve', by: 'root', note: 'looks good' });
      const result = (await handle.result()) as RolloutStatus;
      expect(result.phase).toBe('promoted');
      // A signal carries a typed name: kept, and marked as not verified.
      expect(result.events.find((e) => e.kind === 'approved')?.detail).toBe(`by root (${SIGNAL_MARK}): looks good`);
    } finally {
      await r.close();
    }
  });
});

describeEachStore('the gate judges the candidate it gates', (backend) => {
  test('two consecutive rollouts of one prompt (one workflow id) with different candidates: each gets its own answers', async () => {
    // v2 ("Hi …") answers in French and passes; v3 ("Hey …") does not.
    const fake = await startFakeAnthropic({
      respond: (req) => ({ text: req.text.includes('Hi ') ? 'Bonjour Ana' : 'Hola Ana' }),
    });
    const r = await rig(
      {
        provider: 'auto',
        anthropic: { apiKey: MARKER_KEY, baseUrl: fake.baseUrl },
        gemini: {},
      },
      backend,
    );
    try {
      const cases = ['Ana', 'Bo'].map((name, i) => ({
        id: `c${i}`,
        vars: { name },
        assertions: [{ type: 'contains' as const, value: 'Bonjour' }],
        tags: [],
        required: true,
      }));
      const ds = await addDatasetVersion(r.db, { name: 'greet-fr', cases, source: 'greet-fr.jsonl', author: 'ana' });
      const gate = { dataset: 'greet-fr', datasetVersion: ds.version, passRateThreshold: 1 };
      // As the CLI does: one workflow id per prompt, a rollout id per run.
      const workflowId = uniqueId('rollout-greet');
      const approval = { required: true, timeoutMs: 24 * 3600 * 1000, approvers: ['ana'] };
      const first = baseInput({ rolloutId: uniqueId('ro-a'), candidateVersion: 2, gate, approval });
      const h1 = await env.client.workflow.start('rolloutWorkflow', {
        taskQueue: r.taskQueue,
        workflowId,
        args: [first],
      });
      await eventually(
        async () => (await h1.query(rolloutStatusQuery)).phase === 'awaiting-approval',
        60_000,
        'the first gate to pass',
      );
      await h1.executeUpdate(controlUpdate, { args: [{ action: 'abort', by: 'ana', reason: 'try the next one' }] });
      const r1 = (await h1.result()) as RolloutStatus;
      expect(r1.events.find((e) => e.kind === 'gate-passed')?.detail).toContain(`${first.rolloutId}-gate-v2`);
      const afterFirst = fake.count();
      expect(afterFirst).toBe(2);

      const second = baseInput({ rolloutId: uniqueId('ro-b'), candidateVersion: 3, gate, approval });
      const h2 = await env.client.workflow.start('rolloutWorkflow', {
        taskQueue: r.taskQueue,
        workflowId,
        args: [second],
      });
      const r2 = (await h2.result()) as RolloutStatus;
      expect(r2.phase).toBe('rejected');
      expect(r2.outcome).toMatch(/the staging gate failed \(required-case-failed/);
      // The second gate asked the model for its own candidate's answers.
      expect(fake.count() - afterFirst).toBe(2);
      expect(fake.requests.slice(afterFirst).every((q) => q.text.includes('Hey '))).toBe(true);
      const runs = await r.db.all<{ run_id: string; target_version: number }>(
        'SELECT run_id, target_version FROM eval_runs ORDER BY target_version',
      );
      expect(runs.map((x) => [x.run_id, Number(x.target_version)])).toEqual([
        [`${first.rolloutId}-gate-v2`, 2],
        [`${second.rolloutId}-gate-v3`, 3],
      ]);
    } finally {
      await r.close();
      await fake.close();
    }
  });
});

describe('no step without evidence', () => {
  const lowTraffic = () =>
    baseInput({
      steps: [10, 100],
      bakeMs: 60 * 60_000,
      evaluationIntervalMs: 10 * 60_000,
      maxBakeExtensionMs: 30 * 60_000,
      guard: { minSamples: 5 },
    });
  async function toAwaitingEvidence(r: Rig, input: RolloutInput) {
    const handle = await startRollout(r, input);
    await eventually(async () => (await handle.query(rolloutStatusQuery)).step >= 1, 30_000, 'the first step');
    await env.sleep(input.bakeMs + input.maxBakeExtensionMs!);
    const s = await eventually(
      async () => {
        const q = await handle.query(rolloutStatusQuery);
        return q.phase === 'awaiting-evidence' ? q : undefined;
      },
      30_000,
      'awaiting-evidence',
    );
    expect(s.step).toBe(1);
    const kinds = s.events.map((e) => e.kind);
    expect(kinds).toContain('bake-extended');
    expect(kinds).not.toContain('guard');
    const extended = s.events.find((e) => e.kind === 'bake-extended')!.detail;
    expect(extended).toMatch(/too few samples \(.*thumbs-down-rate.*\) with 0 control and 0 canary runs/);
    expect(extended).toMatch(/fewest samples on a guard signal: control 0, canary 0 \(minimum 5\)/);
    expect(s.events.find((e) => e.kind === 'awaiting-evidence')!.detail).toMatch(/an approver may advance anyway/);
    return handle;
  }

  test('the bake extends, then an approver advances anyway (recorded), and the next step has its evidence', async () => {
    const r = await rig();
    try {
      const input = lowTraffic();
      const handle = await toAwaitingEvidence(r, input);
      await expect(
        handle.executeUpdate(approveUpdate, { args: [{ decision: 'approve', by: 'mallory' }] }),
      ).rejects.toThrow();
      await handle.executeUpdate(approveUpdate, { args: [{ decision: 'approve', by: 'ana', note: 'low volume' }] });
      await eventually(async () => (await handle.query(rolloutStatusQuery)).step === 2, 30_000, 'step 2');
      await seed(r.db, 10, { control: 1, canary: 2 });
      const result = (await handle.result()) as RolloutStatus;
      expect(result.phase).toBe('promoted');
      expect(result.events.find((e) => e.kind === 'advanced-without-evidence')?.detail).toMatch(
        /step 1 advanced anyway by ana: low volume, at the last look 0 control and 0 canary runs/,
      );
      const guard = result.events.filter((e) => e.kind === 'guard');
      expect(guard).toHaveLength(1);
      expect(guard[0]!.detail).toMatch(
        /step 2 baked: no breach with 10 control and 10 canary runs; fewest samples on a guard signal: control 10, canary 10 \(minimum 5\)/,
      );
      expect((await getLabels(r.db, 'greet')).production).toBe(2);
    } finally {
      await r.close();
    }
  });

  test('an approver may instead abort: the candidate is taken away', async () => {
    const r = await rig();
    try {
      const input = lowTraffic();
      const handle = await toAwaitingEvidence(r, input);
      await handle.executeUpdate(approveUpdate, { args: [{ decision: 'reject', by: 'ana', note: 'no traffic' }] });
      const result = (await handle.result()) as RolloutStatus;
      expect(result).toMatchObject({ phase: 'aborted', percent: 0 });
      expect(result.outcome).toBe('aborted by ana: no traffic for lack of evidence at 10%');
      expect(await r.db.all('SELECT * FROM rollouts WHERE percent > 0')).toEqual([]);
      expect((await getLabels(r.db, 'greet')).production).toBe(1);
    } finally {
      await r.close();
    }
  });
});

describeEachStore('promotion is compare-and-set', (backend) => {
  test('production moved by a person during a bake: the rollout ends aborted, naming who moved it', async () => {
    const r = await rig(undefined, backend);
    try {
      const input = baseInput({ steps: [10, 100] });
      const handle = await startRollout(r, input);
      await eventually(async () => (await handle.query(rolloutStatusQuery)).step >= 1, 30_000, 'the first step');
      await moveLabel(r.db, {
        name: 'greet',
        label: 'production',
        version: 3,
        actor: { subject: 'bob', admin: true, ownerRole: true },
        reason: 'hotfix for a typo',
      });
      const result = (await handle.result()) as RolloutStatus;
      expect(result).toMatchObject({ phase: 'aborted', percent: 0 });
      expect(result.outcome).toMatch(
        /production was moved to v3 by bob at .* \(hotfix for a typo\) during the bake of step 1/,
      );
      expect((await getLabels(r.db, 'greet')).production).toBe(3);
      const stored = await r.db.all<{ kind: string; detail: string }>(
        'SELECT kind, detail FROM rollout_events WHERE rollout_id = ? ORDER BY event_index',
        [input.rolloutId],
      );
      expect(stored.at(-1)).toMatchObject({ kind: 'aborted', detail: expect.stringContaining('by bob') });
      expect(await r.db.all('SELECT * FROM rollouts WHERE percent > 0')).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

describe('input bounds hold for rollouts started by any client', () => {
  test('an interval under 10 s fails the workflow at once, naming the bound', async () => {
    const r = await rig();
    try {
      const handle = await startRollout(r, baseInput({ evaluationIntervalMs: 2000 }));
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toMatchObject({
        type: 'InvalidRolloutInput',
        message: expect.stringMatching(/--interval 2s is under 10s/),
      });
      expect(await r.db.all('SELECT * FROM rollouts')).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

describe('continue-as-new', () => {
  test('after the bake loop continues as new, the status query answers with the carried state and an approver reaches the new run', async () => {
    const r = await rig();
    try {
      // 6 h at 1-minute looks plus a 1 h extension: 420 looks, past one run's cap of LOOKS_PER_RUN.
      const input = baseInput({
        steps: [10, 100],
        bakeMs: 6 * 3600_000,
        evaluationIntervalMs: 60_000,
        maxBakeExtensionMs: 3600_000,
        guard: { minSamples: 5 },
      });
      const handle = await startRollout(r, input);
      await eventually(async () => (await handle.query(rolloutStatusQuery)).step >= 1, 30_000, 'the first step');
      await env.sleep(input.bakeMs + input.maxBakeExtensionMs!);
      const s = await eventually(
        async () => {
          const q = await handle.query(rolloutStatusQuery);
          return q.phase === 'awaiting-evidence' ? q : undefined;
        },
        60_000,
        'awaiting-evidence',
      );
      const current = await handle.describe();
      expect(current.runId).not.toBe(handle.firstExecutionRunId);
      expect(s).toMatchObject({ step: 1, percent: 10, controlVersion: 1 });
      expect(s.events.map((e) => e.kind)).toEqual(['gate-skipped', 'step', 'bake-extended', 'awaiting-evidence']);
      expect(s.eventCount).toBe(4);

      await handle.executeUpdate(approveUpdate, { args: [{ decision: 'approve', by: 'ana', note: 'quiet week' }] });
      await eventually(async () => (await handle.query(rolloutStatusQuery)).step === 2, 30_000, 'step 2');
      await handle.executeUpdate(controlUpdate, { args: [{ action: 'abort', by: 'ana', reason: 'enough' }] });
      const result = (await handle.result()) as RolloutStatus;
      expect(result).toMatchObject({ phase: 'aborted', percent: 0, eventCount: 7 });
      const stored = await r.db.all<{ event_index: number; kind: string }>(
        'SELECT event_index, kind FROM rollout_events WHERE rollout_id = ? ORDER BY event_index',
        [input.rolloutId],
      );
      expect(stored.map((e) => [Number(e.event_index), e.kind])).toEqual([
        [0, 'gate-skipped'],
        [1, 'step'],
        [2, 'bake-extended'],
        [3, 'awaiting-evidence'],
        [4, 'advanced-without-evidence'],
        [5, 'step'],
        [6, 'aborted'],
      ]);
    } finally {
      await r.close();
    }
  });
});
