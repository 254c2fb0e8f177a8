import { createActivities } from '../../src/activities';
import { ackAlert, listAlerts, listIncidents } from '../../src/calendar/alerts/alert-store';
import type { Finding } from '../../src/calendar/alerts/alert-rules';
import { listCalendarRuns } from '../../src/calendar/shared/calendar-run-store';
import { alertActivity, alertsStampedAt, unresolvedQueue } from '../../src/calendar/alerts/alert-queue-store';
import { productionVersions } from '../../src/calendar/shared/production-store';
import { getBlob, getJson } from '../../src/store/blobs';
import type { Db } from '../../src/store/db';
import { DAY_MS, HEALTHY, productionPrompt, seedDay, seededRandom } from '../support/calendar-seed';
import { describeEachStore } from '../support/store-backends';

// The review's activities called directly on both backends: the SQL the workflows rely on, without Temporal.
describeEachStore('daily and weekly review activities', (backend) => {
  let db: Db;
  const asOf = '2026-11-22T06:00:00.000Z';
  const end = Date.parse(asOf);

  beforeAll(async () => {
    db = await backend.open();
    await productionPrompt(db, 'calm', 'ana');
    await productionPrompt(db, 'broken', 'bo');
    const random = seededRandom(3);
    for (let k = 31; k >= 1; k--) {
      const dayStart = end - k * DAY_MS;
      // A smaller day than the integration test's (this runs on PostgreSQL too), still above min samples.
      const small = { runs: 120, votes: 60, random, dayStart };
      await seedDay(db, { ...small, name: 'calm', rates: HEALTHY });
      await seedDay(db, { ...small, name: 'broken', rates: k === 1 ? { ...HEALTHY, error: 0.3 } : HEALTHY });
    }
  });

  test('reviews every production version, opens one alert per key, and logs the Critical as an incident', async () => {
    const acts = createActivities({ db });
    expect((await productionVersions(db)).map((v) => [v.name, v.version, v.owner])).toEqual([
      ['broken', 1, 'bo'],
      ['calm', 1, 'ana'],
    ]);
    const review = await acts.reviewQualitySignals({ asOf });
    expect(review).toMatchObject({ reviewed: 2, tooFewSamples: 0 });
    const findings = await getJson<Finding[]>(db, review.findingsRef);
    expect(findings).toHaveLength(review.findings);
    const broken = findings.find((f) => f.dedupeKey === 'broken@1:error-rate')!;
    expect(broken).toMatchObject({ severity: 'critical', samples: 120 });

    const first = await acts.applyReviewAlerts({ asOf, findingsRef: review.findingsRef });
    const [alert] = (await listAlerts(db, { name: 'broken' })).filter((a) => a.signal === 'error-rate');
    expect(first.opened).toContain(alert!.alertId);
    expect((await listIncidents(db)).map((i) => i.alertId)).toContain(alert!.alertId);
    expect(await alertsStampedAt(db, asOf)).toEqual({ opened: [...first.opened].sort(), escalated: [] });

    // The same review applied again (a re-run of the day): nothing new, the alert is kept.
    const again = await acts.applyReviewAlerts({ asOf, findingsRef: review.findingsRef });
    expect(again).toEqual({ opened: [], escalated: [], kept: findings.length, unresolved: first.unresolved });
    expect((await listAlerts(db, { status: 'all' })).filter((a) => a.dedupeKey === broken.dedupeKey)).toHaveLength(1);

    const reportRef = await acts.writeDailyReviewReport({ asOf, review, outcome: first, notified: 'skipped' });
    const report = await getBlob(db, reportRef);
    expect(report).toContain(`opened \`${alert!.alertId}\``);
    expect(report).toContain('| broken v1 | error-rate | critical |');
    await acts.recordReviewRun({
      runId: 'daily-test',
      period: 'daily',
      asOf,
      counts: { opened: first.opened.length },
      reportRef,
      startedAt: asOf,
      finishedAt: asOf,
      asOfSource: 'input',
    });
    const [run] = await listCalendarRuns(db, { period: 'daily' });
    expect(run).toMatchObject({ runId: 'daily-test', reportRef, summary: { asOfSource: 'input' } });
  });

  test('the queue shows who holds each alert; the weekly report counts the week', async () => {
    const acts = createActivities({ db });
    const [alert] = (await listAlerts(db, { name: 'broken' })).filter((a) => a.signal === 'error-rate');
    await ackAlert(db, alert!.alertId, 'carla', new Date(end));
    const { queue, total } = await unresolvedQueue(db, 100);
    expect(total).toBe(queue.length);
    expect(queue.find((q) => q.alertId === alert!.alertId)).toMatchObject({
      status: 'acknowledged',
      owner: 'carla',
      promptOwner: 'bo',
    });
    expect(await alertActivity(db, new Date(end - 7 * DAY_MS).toISOString(), asOf)).toEqual({
      opened: total,
      escalated: 0,
    });
    const weekly = await acts.writeWeeklyTrendsReport({ asOf });
    expect(weekly.counts).toMatchObject({ prompts: 2, unresolvedAlerts: total, alertsOpened: total, postRunEvals: 0 });
    const report = await getBlob(db, weekly.reportRef);
    expect(report).toMatch(
      new RegExp(
        `\\| \`${alert!.alertId}\` \\| broken v1 \\| error-rate \\| critical \\| acknowledged \\| under 1 h \\| carla \\|`,
      ),
    );
    expect(report).toContain('### calm v1 (owner: ana)');
  });
});
