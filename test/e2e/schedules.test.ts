import { ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { CALENDAR_WORKFLOW_TYPES, PERIODS, scheduleIdFor, type Period } from '../../src/calendar/shared/periods';
import { runCli } from '../support/cli';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, testClient, uniqueId } from '../support/temporal';

const scheduledStartKey = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);
const DAY = 86_400_000;

/**
 * The calendar's Schedules on the shared dev server. The runs they start go to a task queue no worker
 * polls, so they are started and stay running whatever the calendar workflows do; afterAll ends them.
 * The steps build on each other (apply → pause → update → resume → trigger → backfill), so they run in order.
 */
describe('refinery schedules', () => {
  const prefix = uniqueId('sched');
  const taskQueue = uniqueId('sched-no-worker');
  const ids = Object.fromEntries(PERIODS.map((p) => [p, scheduleIdFor(p, prefix)])) as Record<Period, string>;
  let client: Client;
  let close: () => Promise<void>;
  let triggeredId: string;

  const schedules = (...args: string[]) =>
    runCli(['schedules', ...args, '--prefix', prefix], {
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_TIMEZONE: 'UTC',
    });
  const describeAll = async () =>
    Object.fromEntries(
      await Promise.all(PERIODS.map(async (p) => [p, await client.schedule.getHandle(ids[p]).describe()] as const)),
    ) as Record<Period, ScheduleDescription>;
  const runsOf = async (scheduleId: string) => {
    const runs = [];
    for await (const wf of client.workflow.list({ query: `TemporalScheduledById = "${scheduleId}"` })) runs.push(wf);
    return runs;
  };
  const berlinHour = (t: Date) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(t);

  beforeAll(async () => {
    ({ client, close } = await testClient());
  });

  afterAll(async () => {
    for (const id of Object.values(ids)) {
      await client.schedule
        .getHandle(id)
        .delete()
        .catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
      for (const run of await runsOf(id))
        if (run.status.name === 'RUNNING') await client.workflow.getHandle(run.workflowId).terminate('test cleanup');
    }
    await close();
  });

  test('apply twice leaves one Schedule per period with the default calendar, created once', async () => {
    const first = await schedules('apply');
    expect(first.code).toBe(0);
    expect(first.out.match(/: created — /g)).toHaveLength(4);
    const second = await schedules('apply');
    expect(second.code).toBe(0);
    expect(second.out.match(/: unchanged — /g)).toHaveLength(4);

    // Schedule listing reads visibility, which may lag the create.
    const listed = await eventually(
      async () => {
        const found: string[] = [];
        for await (const s of client.schedule.list({ query: `ScheduleId STARTS_WITH "${prefix}-"` }))
          found.push(s.scheduleId);
        return found.length >= PERIODS.length && found;
      },
      30_000,
      'the four schedules in the schedule list',
    );
    expect([...listed].sort()).toEqual(Object.values(ids).sort());

    const d = await describeAll();
    const only = (n: number) => [{ start: n, end: n, step: 1 }];
    expect(d.daily.spec.calendars).toMatchObject([
      { hour: only(6), minute: only(0), dayOfMonth: [{ start: 1, end: 31 }] },
    ]);
    expect(d.weekly.spec.calendars).toMatchObject([{ hour: only(7), dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY' }] }]);
    expect(d.monthly.spec.calendars).toMatchObject([{ hour: only(8), dayOfMonth: only(1) }]);
    expect(d.quarterly.spec.calendars![0]!.month.map((m) => m.start)).toEqual(['JANUARY', 'APRIL', 'JULY', 'OCTOBER']);
    for (const period of PERIODS) {
      const s = d[period];
      expect(s.spec.calendars).toHaveLength(1);
      expect(s.spec.timezone).toBe('UTC');
      expect(s.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: DAY });
      expect(s.action).toMatchObject({
        workflowType: CALENDAR_WORKFLOW_TYPES[period],
        taskQueue,
        workflowId: ids[period],
        args: [{}],
      });
      // The second apply sent nothing: the Schedule was never updated.
      expect(s.info.lastUpdatedAt).toBeUndefined();
      expect(s.state.paused).toBe(false);
    }
    // The server's own reading of the calendar: when each period next runs.
    const next = (p: Period) => d[p].info.nextActionTimes[0]!;
    expect([next('daily').getUTCHours(), next('daily').getUTCMinutes()]).toEqual([6, 0]);
    expect([next('weekly').getUTCDay(), next('weekly').getUTCHours()]).toEqual([1, 7]);
    expect([next('monthly').getUTCDate(), next('monthly').getUTCHours()]).toEqual([1, 8]);
    expect([0, 3, 6, 9]).toContain(next('quarterly').getUTCMonth());
    expect([next('quarterly').getUTCDate(), next('quarterly').getUTCHours()]).toEqual([1, 9]);
  });

  test('pause records the note; an apply that changes zone and catch-up window keeps the pause; resume', async () => {
    const paused = await schedules('pause', 'all', '--note', 'holiday freeze');
    expect(paused.code).toBe(0);
    for (const s of Object.values(await describeAll()))
      expect(s.state).toMatchObject({ paused: true, note: 'holiday freeze' });

    const moved = await schedules('apply', '--timezone', 'Europe/Berlin', '--catchup-window', '12h');
    expect(moved.code).toBe(0);
    expect(moved.out.match(/: updated \(timezone, catch-up window\) — /g)).toHaveLength(4);
    const d = await describeAll();
    for (const s of Object.values(d)) {
      expect(s.spec.timezone).toBe('Europe/Berlin');
      expect(s.policies.catchupWindow).toBe(12 * 3_600_000);
      expect(s.state).toMatchObject({ paused: true, note: 'holiday freeze' });
    }
    expect(berlinHour(d.daily.info.nextActionTimes[0]!)).toBe('06');

    const back = await schedules('apply');
    expect(back.out.match(/: updated \(timezone, catch-up window\) — /g)).toHaveLength(4);
    const resumed = await schedules('resume', 'all', '--note', 'back to work');
    expect(resumed.code).toBe(0);
    for (const s of Object.values(await describeAll())) {
      expect(s.state).toMatchObject({ paused: false, note: 'back to work' });
      expect(s.spec.timezone).toBe('UTC');
      expect(s.policies.catchupWindow).toBe(DAY);
    }
  });

  test('trigger daily starts a dailyReviewWorkflow run now', async () => {
    const r = await schedules('trigger', 'daily');
    expect(r.code).toBe(0);
    const runs = await eventually(
      async () => {
        const found = await runsOf(ids.daily);
        return found.length > 0 && found;
      },
      30_000,
      'the triggered run in visibility',
    );
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.type).toBe('dailyReviewWorkflow');
    expect(run.taskQueue).toBe(taskQueue);
    expect(run.workflowId.startsWith(`${ids.daily}-`)).toBe(true);
    expect(r.out).toContain(`started ${run.workflowId}`);
    triggeredId = run.workflowId;
  });

  test('backfill daily over three days starts one run per 06:00 in the range, with that scheduled time', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 3 * DAY);
    const expected: string[] = [];
    for (let t = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), 6); t <= to.getTime(); t += DAY)
      if (t >= from.getTime()) expected.push(new Date(t).toISOString());
    expect(expected).toHaveLength(3);

    const r = await schedules('backfill', 'daily', '--from', from.toISOString(), '--to', to.toISOString());
    expect(r.code).toBe(0);
    // Runs other than the trigger's, scheduled in the range (a real 06:00 run would share a backfilled id).
    const backfilled = await eventually(
      async () => {
        const found = (await runsOf(ids.daily)).filter((w) => {
          const at = w.typedSearchAttributes.get(scheduledStartKey)?.getTime() ?? NaN;
          return w.workflowId !== triggeredId && at >= from.getTime() && at <= to.getTime();
        });
        return found.length >= expected.length && found;
      },
      30_000,
      'the backfilled runs in visibility',
    );
    const scheduled = backfilled.map((w) => w.typedSearchAttributes.get(scheduledStartKey)!.toISOString()).sort();
    expect(scheduled).toEqual(expected);
    for (const w of backfilled) {
      expect(w.type).toBe('dailyReviewWorkflow');
      expect(w.workflowId).toBe(
        `${ids.daily}-${w.typedSearchAttributes.get(scheduledStartKey)!.toISOString().replace('.000Z', 'Z')}`,
      );
    }
    const recent = (await client.schedule.getHandle(ids.daily).describe()).info.recentActions;
    expect(recent.map((a) => a.scheduledAt.toISOString())).toEqual(expect.arrayContaining(expected));
  });

  test('bad input exits 2 and names the fix', async () => {
    const period = await schedules('trigger', 'hourly');
    expect(period.code).toBe(2);
    expect(period.out).toContain('unknown period "hourly": use one of daily, weekly, monthly, quarterly');

    const zone = await schedules('apply', '--timezone', 'Mars/Olympus_Mons');
    expect(zone.code).toBe(2);
    expect(zone.out).toContain('use an IANA name such as UTC or Europe/Berlin');

    const range = await schedules(
      'backfill',
      'daily',
      '--from',
      '2025-01-03T00:00:00Z',
      '--to',
      '2025-01-01T00:00:00Z',
    );
    expect(range.code).toBe(2);
    expect(range.out).toContain('--from must be before --to');

    const missing = await runCli(['schedules', 'pause', 'daily', '--prefix', `${prefix}-none`], {
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
    });
    expect(missing.code).toBe(2);
    expect(missing.out).toContain(`refinery schedules apply --prefix ${prefix}-none`);

    // Nothing was created or changed by the refused commands.
    const d = await describeAll();
    expect(d.daily.spec.timezone).toBe('UTC');
  });
});
