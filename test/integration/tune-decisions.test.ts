import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { decideUpdate, tuneStatusQuery } from '../../src/shared';
import type { TuneStatus } from '../../src/tune/types';
import { sharedTestEnv } from '../support/shared-env';
import { timeSkippingEnv } from '../support/time-skipping';
import { eventually, testClient, uniqueId, withWorker } from '../support/temporal';
import { judgeJson, tuneHarness, type TuneHarness } from '../support/tune-harness';
import { currentDetails, historySummaries, offeredSignals } from '../support/web-ui';

const open: TuneHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

describe('decision timeout (time-skipping test server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  test('a stall nobody decides for 7 days keeps the original and the best as a candidate', async () => {
    const h = await tuneHarness({ judge: (_req, it) => ({ text: judgeJson([60, 62, 61][it - 1] ?? 61) }) });
    open.push(h);
    const dir = h.makeSkill('waiting');
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    const taskQueue = uniqueId('tq');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db: h.db, providers: h.providers }),
    });
    const status = await worker.runUntil(async () => {
      const [run] = await h.start([dir], { threshold: '90', 'decision-timeout': '7d' }, env.client, taskQueue);
      return await h.finish(run!.handle);
    });
    expect(status.termination).toBe('decision-timeout');
    expect(status.decisions[0]).toMatchObject({
      action: 'cancel',
      by: 'timeout',
      timedOut: true,
      reason: 'converged-below-threshold',
    });
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    expect(status.outcome?.writeBack).toEqual([]);
    expect(status.outcome?.candidate?.waiting).toEqual(expect.any(String));
    expect(status.outcome?.candidate?.waiting).not.toBe(status.outcome?.chosen.waiting); // the best, kept aside
    const report = fs.readFileSync(status.outcome!.reportPaths[0]!, 'utf8');
    expect(report).toContain('kept as a candidate; the original stays');
  });
});

describe('recurring issues across runs (real dev server)', () => {
  let client: Client;
  let close: () => Promise<void>;
  beforeAll(async () => ({ client, close } = await testClient()));
  afterAll(() => close());

  test('a weakness in a 2nd run is RECURRING, in a 3rd UNRESOLVED and needs a decision before write-back', async () => {
    // Each run: iteration 1 scores 70 and names the weakness, iteration 2 reaches the threshold.
    const h = await tuneHarness({
      judge: (_req, it) => ({ text: it === 1 ? judgeJson(70, ['missing-examples']) : judgeJson(90) }),
    });
    open.push(h);
    const dir = h.makeSkill('recurring');
    const taskQueue = uniqueId('tq');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const runs: TuneStatus[] = [];
      for (let i = 0; i < 2; i++) {
        const [run] = await h.start([dir], { threshold: '80' }, client, taskQueue);
        runs.push(await h.finish(run!.handle));
      }
      expect(runs[0]!.termination).toBe('threshold-met');
      expect(runs[1]!.termination).toBe('threshold-met');
      const second = fs.readFileSync(runs[1]!.outcome!.reportPaths[0]!, 'utf8');
      expect(second).toContain('**RECURRING** recurring: `missing-examples` (occurrence 2 across runs)');
      const afterTwo = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');

      const [third] = await h.start([dir], { threshold: '80' }, client, taskQueue);
      await eventually(
        async () => (await third!.handle.query(tuneStatusQuery)).phase === 'awaiting-decision',
        30_000,
        'stall',
      );
      const stalled = await third!.handle.query(tuneStatusQuery);
      expect(stalled.stall).toMatchObject({
        reason: 'unresolved-recurring',
        detail: expect.stringContaining('"missing-examples" (3×)'),
      });
      expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(afterTwo); // nothing written while it waits
      // The Web UI explains the stall: summary, the decide signals in the current details, summaries on events.
      const desc = await third!.handle.describe();
      expect(await desc.staticSummary()).toMatch(/^Tune skill recurring@[0-9a-f]{8}: up to \d+ iterations to score 80/);
      const details = await currentDetails(third!.handle);
      expect(details).toContain('**Tune** `recurring` — phase **awaiting-decision**');
      expect(details).toContain('"missing-examples" (3×)');
      expect(offeredSignals(details).map((o) => `${o.signal}:${String(o.payload.action)}`)).toEqual([
        'decide:continue',
        'decide:accept',
        'decide:rollback',
        'decide:cancel',
      ]);
      const events = await historySummaries(third!.handle);
      const summaries = events.filter((e) => e.kind === 'activity').map((e) => e.summary);
      expect(summaries.slice(0, 3)).toEqual([
        expect.stringMatching(/^execute iteration 1 \(1 skill\) with \w+:/),
        expect.stringMatching(/^judge iteration 1 with \w+:/),
        expect.stringMatching(/^improve recurring after iteration 1 with \w+:/),
      ]);
      // Every model call of the run says which iteration and model it is.
      expect(summaries.every((t) => /^(execute|judge|improve) .*iteration \d+.* with \w+:/.test(t ?? ''))).toBe(true);
      expect(events.filter((e) => e.kind === 'timer').map((e) => e.summary)).toEqual([
        'wait up to 7 d for a decision (signal decide)',
      ]);
      await third!.handle.executeUpdate(decideUpdate, {
        args: [{ action: 'accept', by: 'lead', note: 'known; tracked' }],
      });
      const done = await h.finish(third!.handle);
      expect(done.termination).toBe('accepted');
      expect(done.outcome?.writeBack).toMatchObject([{ skill: 'recurring', dir }]);
      expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(`${afterTwo}\n- improvement 3`);
    });
  });
});
