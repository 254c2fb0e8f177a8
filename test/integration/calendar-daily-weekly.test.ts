import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { listAlerts, listIncidents, type AlertRow } from '../../src/calendar/alerts/alert-store';
import { listCalendarRuns } from '../../src/calendar/shared/calendar-run-store';
import { listCases } from '../../src/cases/case-store';
import type { CalendarRunResult } from '../../src/calendar/shared/periods';
import { recordPostRunEval } from '../../src/calendar/shared/post-run-eval-store';
import { getBlob } from '../../src/store/blobs';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { DAY_MS, HEALTHY, productionPrompt, seedDay, seededRandom } from '../support/calendar-seed';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, tempDir, testClient, uniqueId, withWorker } from '../support/temporal';
import { timeSkippingEnv } from '../support/time-skipping';
import { webhookSignatureProblem } from '../../src/webhook-signature';

const WEBHOOK_SECRET = 'calendar-webhook-secret-0123';

/**
 * A Slack-compatible receiver on loopback that records every POST, with what its signature check said (undefined:
 * signed with WEBHOOK_SECRET, fresh, and the body as signed), and can refuse the next few.
 */
async function webhookReceiver() {
  const bodies: { text: string; blocks: { type: string; text: { type: string; text: string } }[] }[] = [];
  const signatures: (string | undefined)[] = [];
  let attempts = 0;
  let refuse = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      attempts++;
      signatures.push(webhookSignatureProblem(WEBHOOK_SECRET, req.headers, raw));
      if (refuse > 0) {
        refuse--;
        res.writeHead(500).end('busy');
        return;
      }
      bodies.push(JSON.parse(raw));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    signatures,
    attempts: () => attempts,
    refuseNext: (n: number) => (refuse = n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const THUMBS_B = 'regress-b@1:thumbs-down-rate';

interface SimulatedDay {
  day: number;
  result: CalendarRunResult;
  /** The regressed prompt's thumbs-down alert after this day's review, if any. */
  alert?: AlertRow;
  historyEvents: number;
  historyBytes: number;
}

/** Alerts a day's review opened or escalated. */
const changed = (d: SimulatedDay) => (d.result.counts.opened ?? 0) + (d.result.counts.escalated ?? 0);

describe('daily review and weekly trends over simulated days (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let db: Db;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let t0: number;
  // A plain client: awaiting a result through env.client unlocks time skipping, and an idle test server
  // then jumps years ahead between runs. Here time moves only where the test says: a day per env.sleep.
  let client: Client;
  const taskQueue = uniqueId('calendar');
  const days: SimulatedDay[] = [];

  // One simulated month: 30 days of healthy history before t0, then 30 reviews a simulated day apart.
  // Prompt A stays healthy; prompt B's thumbs-down rate creeps up a point a day from day 10.
  beforeAll(async () => {
    env = await timeSkippingEnv();
    db = await openStore(`sqlite:${path.join(tempDir('calendar'), 'r.db')}`);
    hook = await webhookReceiver();
    client = new Client({ connection: env.connection });
    t0 = await env.currentTimeMs();
    await productionPrompt(db, 'stable-a', 'ana');
    await productionPrompt(db, 'regress-b', 'bo');
    // Seeds fix the data. The daily review's false-positive rate on this traffic is measured over 100
    // simulated months in test/calendar/daily-review.test.ts; this month of prompt A is one without one.
    const randomA = seededRandom(1);
    const randomB = seededRandom(11);
    for (let k = -30; k < 30; k++) {
      const dayStart = t0 + k * DAY_MS;
      await seedDay(db, { name: 'stable-a', dayStart, rates: HEALTHY, random: randomA });
      const creep = Math.max(0, k - 9) * 0.01;
      await seedDay(db, {
        name: 'regress-b',
        dayStart,
        rates: { ...HEALTHY, down: HEALTHY.down + creep },
        random: randomB,
      });
    }
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db, webhook: { url: hook.url, secret: WEBHOOK_SECRET } }),
    });
    // The receiver refuses the first POST: the retried notification must not open a second alert.
    hook.refuseNext(1);
    await worker.runUntil(async () => {
      for (let day = 1; day <= 30; day++) {
        await env.sleep(DAY_MS);
        // No asOf: the run reviews up to its own (simulated) clock, as a Schedule-less start would.
        const handle = await client.workflow.start('dailyReviewWorkflow', {
          taskQueue,
          workflowId: uniqueId(`daily-${day}`),
          args: [{}],
        });
        const result = (await handle.result()) as CalendarRunResult;
        const history = await handle.fetchHistory();
        days.push({
          day,
          result,
          alert: (await listAlerts(db, { status: 'all', name: 'regress-b' })).find((a) => a.dedupeKey === THUMBS_B),
          historyEvents: history.events?.length ?? 0,
          historyBytes: temporal.api.history.v1.History.encode(history).finish().byteLength,
        });
      }
    });
  }, 240_000);

  afterAll(async () => {
    await hook?.close();
    await db?.close();
    await env?.teardown();
  });

  test('each run reviews its own simulated day (the workflow clock) and records it in the ops log', async () => {
    for (const d of days) {
      const asOf = Date.parse(d.result.asOf);
      expect(asOf).toBeGreaterThanOrEqual(t0 + d.day * DAY_MS);
      expect(asOf).toBeLessThan(t0 + d.day * DAY_MS + 3_600_000);
      expect(d.result.counts.reviewed).toBe(2);
      expect(d.result.counts.tooFewSamples).toBe(0);
    }
    const runs = await listCalendarRuns(db, { period: 'daily', limit: 100 });
    expect(runs).toHaveLength(30);
    expect(runs.every((r) => r.reportRef && r.summary.asOfSource === 'workflow-clock')).toBe(true);
  });

  test('the daily review harvests failed runs into each production prompt’s review queue, from its cursor', async () => {
    // The seeded month is all stored before day 1: the first harvest queues it, later ones find nothing new.
    expect(days[0]!.result.counts.casesQueued).toBeGreaterThan(0);
    expect(days.slice(1).every((d) => d.result.counts.casesQueued === 0)).toBe(true);
    const queue = await listCases(db, 'regress-b');
    expect(queue.length).toBe(days[0]!.result.counts.casesQueued! - (await listCases(db, 'stable-a')).length);
    expect(queue.some((c) => c.kinds.includes('thumbs-down'))).toBe(true);
  });

  test('a stable prompt raises no alert over 30 simulated days', async () => {
    const falsePositives = await listAlerts(db, { status: 'all', name: 'stable-a' });
    console.log(`stable prompt: ${falsePositives.length} false positives over 30 simulated days`);
    expect(falsePositives.map((a) => a.detail)).toEqual([]);
  });

  test('the injected regression raises a Warning, then a Critical with an incident, as one deduped alert', async () => {
    const warned = days.find((d) => d.alert)!;
    expect(warned).toBeDefined();
    expect(warned.alert!.severity).toBe('warning');
    expect(warned.day).toBeGreaterThan(10); // the creep starts on day 10; it takes a few points to stand out
    const critical = days.find((d) => d.alert?.severity === 'critical')!;
    expect(critical.day).toBe(warned.day + 1); // unresolved for 24 h, or grown: escalated the next day
    expect(critical.alert!.alertId).toBe(warned.alert!.alertId);
    expect(['a warning unresolved for 24 h', 'the deviation grew to critical']).toContain(
      critical.alert!.escalationReason,
    );
    console.log(
      `regression: Warning on simulated day ${warned.day}, Critical on day ${critical.day} (${critical.alert!.escalationReason})`,
    );
    expect(critical.result.counts.escalated).toBeGreaterThanOrEqual(1);
    const incidents = await listIncidents(db);
    expect(incidents.map((i) => i.alertId)).toContain(critical.alert!.alertId);
    // Dedupe: the regression persisted for the rest of the month, yet the key has one alert, kept daily.
    const rows = (await listAlerts(db, { status: 'all', name: 'regress-b' })).filter((a) => a.dedupeKey === THUMBS_B);
    expect(rows).toHaveLength(1);
    expect(days.at(-1)!.result.counts.kept).toBeGreaterThanOrEqual(1);
    const report = await getBlob(db, critical.result.reportRef!);
    expect(report).toContain(`escalated \`${critical.alert!.alertId}\``);
    expect(report).toContain('logged as an incident');
    expect(report).toContain('unassigned (prompt owner: bo)');
  });

  test('the webhook gets a Slack-compatible message for new and escalated alerts, retried when refused', () => {
    const changedDays = days.filter((d) => changed(d) > 0);
    expect(changedDays.every((d) => d.result.counts.notified === 1)).toBe(true);
    expect(hook.bodies).toHaveLength(changedDays.length);
    expect(hook.attempts()).toBe(changedDays.length + 1); // the refused first attempt, then its retry
    // Every attempt signed, the retry too (a worker's activity, the secret from its deps).
    expect(hook.signatures).toEqual(hook.signatures.map(() => undefined));
    for (const body of hook.bodies) {
      expect(body.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
      expect(body.blocks[0]!.text.text).toBe(body.text);
      expect(body.text).not.toMatch(/downstream 502|Answer in JSON/); // names and numbers only
    }
    const texts = hook.bodies.map((b) => b.text).join('\n');
    const alertId = days.find((d) => d.alert)!.alert!.alertId;
    expect(texts).toMatch(new RegExp(`\\*WARNING\\* opened \`${alertId}\` thumbs-down-rate of regress-b v1`));
    expect(texts).toMatch(new RegExp(`\\*CRITICAL\\* escalated \`${alertId}\``));
  });

  test('history stays the same size however much data and backlog the store holds', () => {
    const quiet = days.filter((d) => changed(d) === 0);
    const largest = days.reduce((a, b) => (b.historyEvents > a.historyEvents ? b : a));
    console.log(
      `daily review history: largest ${largest.historyEvents} events / ${largest.historyBytes} bytes (day ${largest.day}); quiet days ${[...new Set(quiet.map((d) => d.historyEvents))].join(', ')} events`,
    );
    expect(largest.historyEvents).toBeLessThan(100);
    // Day 1 and day 30 do the same work on a month's more data: the same number of events.
    expect(new Set(quiet.map((d) => d.historyEvents)).size).toBe(1);
    expect(quiet[0]!.day).toBeLessThan(10);
    expect(quiet.at(-1)!.day).toBeGreaterThan(20);
  });

  test('the weekly summary lists trends, action items for the negative one, the unresolved alerts and post-run evals', async () => {
    const asOf = days.at(-1)!.result.asOf;
    const at = (daysAgo: number) => new Date(Date.parse(asOf) - daysAgo * DAY_MS);
    await recordPostRunEval(db, { kind: 'tune', subject: 'tune-1', effective: true, better: 'nothing' }, 'ana', at(2));
    await recordPostRunEval(
      db,
      { kind: 'rollout', subject: 'ro-1', effective: false, better: 'a longer bake' },
      'bo',
      at(5),
    );
    await recordPostRunEval(db, { kind: 'tune', subject: 'tune-0', effective: true, better: 'x' }, 'ana', at(10));
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db, webhook: { url: hook.url, secret: WEBHOOK_SECRET } }),
    });
    const handle = await worker.runUntil(async () => {
      const h = await client.workflow.start('weeklyTrendsWorkflow', {
        taskQueue,
        workflowId: uniqueId('weekly'),
        args: [{ asOf }],
      });
      await h.result();
      return h;
    });
    const result = (await handle.result()) as CalendarRunResult;
    expect(result).toMatchObject({ period: 'weekly', asOf });
    expect(result.counts).toMatchObject({ prompts: 2, unresolvedAlerts: 1, postRunEvals: 2 });
    expect(result.counts.actionItems).toBeGreaterThanOrEqual(1);
    const report = await getBlob(db, result.reportRef!);
    const actions = report.slice(report.indexOf('## Action items'), report.indexOf('## Trends per prompt'));
    expect(actions).toMatch(
      /- \[ \] \*\*bo\*\*: regress-b v1: thumbs-down rate rose from [\d.]+ % to [\d.]+ % week over week/,
    );
    expect(actions).not.toContain('stable-a');
    expect(report).toMatch(/### stable-a v1 \(owner: ana\)[\s\S]*\| thumbs-down rate \|[^\n]*\| stable \|/);
    const alertId = days.find((d) => d.alert)!.alert!.alertId;
    expect(report).toMatch(
      new RegExp(
        `\\| \`${alertId}\` \\| regress-b v1 \\| thumbs-down-rate \\| critical \\| open \\| \\d+ d[^|]*\\| unassigned \\(prompt owner: bo\\) \\|`,
      ),
    );
    expect(report).toContain('- tunes: 1 (1 effective)');
    expect(report).toContain('- rollouts: 1 (0 effective)');
    const [weekly] = await listCalendarRuns(db, { period: 'weekly' });
    expect(weekly).toMatchObject({ runId: handle.workflowId, reportRef: result.reportRef });
    expect(weekly!.summary.asOfSource).toBe('input');
    const history = await handle.fetchHistory();
    expect(history.events!.length).toBeLessThan(100);
  });
});

describe('a Schedule backfill (dev server)', () => {
  test('a backfilled run reviews its own nominal day, not the day it executes', async () => {
    const db = await openStore(`sqlite:${path.join(tempDir('calendar-sched'), 'r.db')}`);
    await productionPrompt(db, 'stable-a', 'ana');
    const { client, close } = await testClient();
    const taskQueue = uniqueId('calendar-sched');
    const scheduleId = uniqueId('daily-review');
    try {
      await withWorker(taskQueue, { db }, async () => {
        const schedule = await client.schedule.create({
          scheduleId,
          spec: { calendars: [{ hour: 6 }] },
          action: { type: 'startWorkflow', workflowType: 'dailyReviewWorkflow', taskQueue, args: [{}] },
          state: {
            paused: true,
            backfill: [
              {
                start: new Date('2026-03-01T00:00:00Z'),
                end: new Date('2026-03-01T12:00:00Z'),
                overlap: ScheduleOverlapPolicy.ALLOW_ALL,
              },
            ],
          },
        });
        try {
          const [run] = await eventually(
            async () => {
              const runs = await listCalendarRuns(db, { period: 'daily' });
              return runs.length > 0 && runs;
            },
            60_000,
            'the backfilled daily review',
          );
          expect(run).toMatchObject({ asOf: '2026-03-01T06:00:00.000Z' });
          expect(run!.summary.asOfSource).toBe('schedule');
          expect(run!.summary.counts).toMatchObject({ reviewed: 1, tooFewSamples: 1, opened: 0 });
        } finally {
          await schedule.delete();
        }
      });
    } finally {
      await close();
      await db.close();
    }
  });
});
