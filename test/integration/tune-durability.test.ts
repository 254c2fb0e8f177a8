import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporalCliPath } from '../../src/temporal/binaries';
import type { RecordedRequest } from '../fakes/fake-server-core';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, spawnWorkerProcess, testClient, uniqueId, withWorker } from '../support/temporal';
import { appendImprovement, judgeJson, MARKER_KEY, tuneHarness, type TuneHarness } from '../support/tune-harness';

let client: Client;
let closeClient: () => Promise<void>;
const open: TuneHarness[] = [];
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => closeClient());

const judge = (_req: RecordedRequest, it: number) => ({ text: judgeJson([60, 75, 85][it - 1] ?? 85) });
const FLAGS = { threshold: '80', 'max-iterations': '5' };

/** The final SKILL.md of an uninterrupted run on the same fake responses. */
async function uninterruptedResult(): Promise<string> {
  const h = await tuneHarness({ judge });
  open.push(h);
  const dir = h.makeSkill('durable');
  const taskQueue = uniqueId('tq');
  await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
    const [run] = await h.start([dir], FLAGS, client, taskQueue);
    await h.finish(run!.handle);
  });
  return fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
}

describe.each([
  ['execute', 'executor', 2],
  ['evaluate', 'judge', 2],
  ['improve', 'improver', 1],
] as const)('a worker SIGKILLed during %s', (_phase, role, nth) => {
  test('is replaced; the run completes with one snapshot per iteration and the same bytes', async () => {
    const expected = await uninterruptedResult();
    let seen = 0;
    let stalled = false;
    // The nth call of the role hangs once, so the kill lands while the activity is in the provider call.
    const hangOnce =
      <T>(reply: (req: RecordedRequest, iteration: number) => T) =>
      (req: RecordedRequest, iteration = 0) => {
        if (!req.text.includes(`[refinery:${role}]`)) return reply(req, iteration);
        if (++seen === nth && !stalled) {
          stalled = true;
          return { ...(reply(req, iteration) as object), delayMs: 60_000 } as T;
        }
        return reply(req, iteration);
      };
    const h = await tuneHarness({
      judge: hangOnce(judge),
      executor: hangOnce(() => ({ text: 'the artifact' })),
      improver: hangOnce(appendImprovement),
    });
    open.push(h);
    const dir = h.makeSkill('durable');
    const taskQueue = uniqueId('tq');
    const env = { ...h.workerEnv, REFINERY_TASK_QUEUE: taskQueue };
    const first = spawnWorkerProcess(env);
    let second: ReturnType<typeof spawnWorkerProcess> | undefined;
    try {
      const [run] = await h.start([dir], FLAGS, client, taskQueue);
      await eventually(() => stalled, 60_000, `the ${role} call to hang`);
      first.child.kill('SIGKILL');
      await first.exited;
      second = spawnWorkerProcess(env);
      const status = await h.finish(run!.handle);
      expect(status.termination).toBe('threshold-met');
      expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(expected);
      const snapshots = await h.db.all<{ iteration: number }>(
        'SELECT iteration FROM tune_snapshots WHERE run_id = ? ORDER BY iteration',
        [run!.workflowId],
      );
      expect(snapshots.map((s) => s.iteration)).toEqual([1, 2, 3]);
      const versions = await h.db.all('SELECT version FROM library_versions WHERE name = ?', ['durable']);
      expect(versions).toHaveLength(3); // the original and one per applied improvement, never a duplicate
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await second?.exited;
    }
  });
});

describe('workflow history hygiene', () => {
  test('no API key, skill body or model output over 4 KB in the history', async () => {
    const bigBody = `# big\n\n${'SKILL-BODY-MARKER '.repeat(400)}\n`;
    const bigArtifact = 'ARTIFACT-MARKER '.repeat(400);
    const h = await tuneHarness({ judge, executor: () => ({ text: bigArtifact }) });
    open.push(h);
    const dir = h.makeSkill('big', { 'SKILL.md': bigBody, 'notes/reference.md': 'REFERENCE-MARKER '.repeat(400) });
    const taskQueue = uniqueId('tq');
    const [run] = await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const started = await h.start([dir], FLAGS, client, taskQueue);
      await started[0]!.handle.result();
      return started;
    });
    const history = execFileSync(
      temporalCliPath(),
      [
        'workflow',
        'show',
        '--workflow-id',
        run!.workflowId,
        '--output',
        'json',
        '--address',
        sharedTestEnv().temporalAddress,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    // Payload data is base64 in the JSON: decode every payload and search both forms.
    const decoded: string[] = [];
    JSON.stringify(JSON.parse(history), (key, value: unknown) => {
      if (key === 'data' && typeof value === 'string') decoded.push(Buffer.from(value, 'base64').toString('utf8'));
      return value;
    });
    expect(decoded.length).toBeGreaterThan(10);
    for (const text of [history, ...decoded]) {
      expect(text).not.toContain(MARKER_KEY);
      expect(text).not.toContain('SKILL-BODY-MARKER');
      expect(text).not.toContain('ARTIFACT-MARKER');
      expect(text).not.toContain('REFERENCE-MARKER');
    }
    expect(Math.max(...decoded.map((d) => Buffer.byteLength(d)))).toBeLessThan(4096);
  });
});

describe('continue-as-new', () => {
  test('a 60-iteration run passes through continue-as-new with its scores intact', async () => {
    const expected = Array.from({ length: 60 }, (_, i) => 10 + 1.5 * (i + 1));
    const h = await tuneHarness({ judge: (_req, it) => ({ text: judgeJson(expected[it - 1]!) }) });
    open.push(h);
    const dir = h.makeSkill('long');
    const taskQueue = uniqueId('tq');
    const { status, workflowId } = await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const [run] = await h.start([dir], { threshold: '101', 'max-iterations': '60' }, client, taskQueue);
      return { status: await run!.handle.result(), workflowId: run!.workflowId };
    });
    expect(status.termination).toBe('max-iterations');
    expect(status.scores).toEqual(expected);
    expect(status.outcome?.bestIteration).toBe(60);
    const runs = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf.runId);
    expect(runs.length).toBeGreaterThan(1); // the server suggested continue-as-new at least once
  });
});
