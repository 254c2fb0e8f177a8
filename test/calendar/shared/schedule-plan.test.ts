import type { CalendarSpecDescription } from '@temporalio/client';
import { CALENDAR_WORKFLOW_TYPES, PERIODS } from '../../../src/calendar/shared/periods';
import {
  DEFAULT_CATCHUP_WINDOW_MS,
  backfillRangeProblem,
  calendarKey,
  catchupWindowProblem,
  decideScheduleChange,
  parsePeriod,
  planSchedules,
  resolveTimezone,
  type DescribedSchedule,
  type PlannedSchedule,
} from '../../../src/calendar/shared/schedule-plan';
import { calendarMetadata } from '../../../src/web-ui/static-metadata';

const options = { timezone: 'Europe/Berlin', catchupWindowMs: DEFAULT_CATCHUP_WINDOW_MS, taskQueue: 'q', prefix: 'p' };
const byPeriod = Object.fromEntries(planSchedules(options).map((p) => [p.period, p])) as Record<
  string,
  PlannedSchedule
>;

const one = (n: number) => [{ start: n, end: n, step: 1 }];
/** The shape the dev server returns from describe for the daily plan (captured from Temporal 1.32). */
function describedDaily(overrides: Partial<CalendarSpecDescription> = {}): DescribedSchedule {
  return {
    spec: {
      calendars: [
        {
          second: one(0),
          minute: one(0),
          hour: one(6),
          dayOfMonth: [{ start: 1, end: 31, step: 1 }],
          month: [{ start: 'JANUARY', end: 'DECEMBER', step: 1 }],
          year: [],
          dayOfWeek: [{ start: 'SUNDAY', end: 'SATURDAY', step: 1 }],
          comment: 'daily review, every day at 06:00',
          ...overrides,
        },
      ],
      intervals: [],
      skip: [],
      timezone: 'Europe/Berlin',
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'dailyReviewWorkflow',
      taskQueue: 'q',
      workflowId: 'p-daily',
      args: [{}],
      ...calendarMetadata('daily', 'p-daily'),
    },
    policies: { overlap: 'SKIP', catchupWindow: DEFAULT_CATCHUP_WINDOW_MS, pauseOnFailure: false },
  };
}

describe('planSchedules', () => {
  test('one Schedule per period, each starting its calendar workflow with empty input', () => {
    const plans = planSchedules(options);
    expect(plans.map((p) => p.scheduleId)).toEqual(['p-daily', 'p-weekly', 'p-monthly', 'p-quarterly']);
    for (const plan of plans) {
      expect(plan.action).toEqual({
        type: 'startWorkflow',
        workflowType: CALENDAR_WORKFLOW_TYPES[plan.period],
        taskQueue: 'q',
        workflowId: plan.scheduleId,
        args: [{}],
        // Every run the Schedule starts says in the Web UI what it is and which Schedule started it.
        ...calendarMetadata(plan.period, plan.scheduleId),
      });
      expect(plan.action.staticSummary).toBe(
        `Improvement calendar: ${plan.period} run — started by Schedule ${plan.scheduleId}`,
      );
      expect(plan.spec.timezone).toBe('Europe/Berlin');
      expect(plan.policies).toEqual({ overlap: 'SKIP', catchupWindow: 86_400_000, pauseOnFailure: false });
    }
    expect(plans.map((p) => p.period)).toEqual([...PERIODS]);
  });

  test('--monthly-batch puts batch: true in the monthly input only', () => {
    const plans = planSchedules({ ...options, monthlyBatch: true });
    expect(plans.map((p) => p.action.args[0])).toEqual([{}, {}, { batch: true }, {}]);
  });

  test('the default calendar: daily 06:00, Monday 07:00, day 1 08:00, quarter starts 09:00', () => {
    const times = (period: string) => calendarKey(byPeriod[period]!.spec.calendars[0]!).replace(/ comment=.*/, '');
    expect(times('daily')).toBe('second=0 minute=0 hour=6 dayOfMonth=* month=* year= dayOfWeek=*');
    expect(times('weekly')).toBe('second=0 minute=0 hour=7 dayOfMonth=* month=* year= dayOfWeek=1');
    expect(times('monthly')).toBe('second=0 minute=0 hour=8 dayOfMonth=1 month=* year= dayOfWeek=*');
    expect(times('quarterly')).toBe('second=0 minute=0 hour=9 dayOfMonth=1 month=1,4,7,10 year= dayOfWeek=*');
  });

  test('the catch-up window is the one asked for', () => {
    const plans = planSchedules({ ...options, catchupWindowMs: 12 * 3_600_000 });
    expect(plans.every((p) => p.policies.catchupWindow === 43_200_000)).toBe(true);
  });
});

describe('decideScheduleChange', () => {
  const daily = byPeriod.daily!;

  test('no Schedule yet: create', () => {
    expect(decideScheduleChange(daily, undefined)).toEqual({ kind: 'create' });
  });

  test("the server's expanded description of the plan is unchanged, so a second apply sends nothing", () => {
    expect(decideScheduleChange(daily, describedDaily())).toEqual({ kind: 'unchanged' });
  });

  test('a moved hour, another zone and a shorter catch-up window are an update naming each part', () => {
    const described = describedDaily({ hour: one(7) });
    described.spec.timezone = 'UTC';
    described.policies.catchupWindow = 60_000;
    expect(decideScheduleChange(daily, described)).toEqual({
      kind: 'update',
      differences: ['calendar', 'timezone', 'catch-up window'],
    });
  });

  test('hand edits in the Web UI are reverted: overlap, task queue, workflow type, input, extra intervals', () => {
    const described = describedDaily();
    described.policies.overlap = 'ALLOW_ALL';
    described.action.taskQueue = 'other';
    described.action.workflowType = 'weeklyTrendsWorkflow';
    described.action.args = [{ asOf: '2025-01-01T00:00:00Z' }];
    described.spec.intervals = [{ every: 3_600_000, offset: 0 }];
    expect(decideScheduleChange(daily, described)).toEqual({
      kind: 'update',
      differences: [
        'extra spec (intervals, skips, start/end or jitter)',
        'overlap policy',
        'workflow type',
        'task queue',
        'workflow input',
      ],
    });
  });

  test('a changed comment counts: it is what `schedules list` and the Web UI show', () => {
    expect(decideScheduleChange(daily, describedDaily({ comment: 'old text' }))).toEqual({
      kind: 'update',
      differences: ['calendar'],
    });
  });

  test('an unset zone on the server is UTC', () => {
    const utcPlan = planSchedules({ ...options, timezone: 'UTC' })[0]!;
    const described = describedDaily();
    described.spec.timezone = undefined;
    expect(decideScheduleChange(utcPlan, described)).toEqual({ kind: 'unchanged' });
  });
});

describe('calendarKey', () => {
  test('ranges and lists of the same times are equal; a step is expanded', () => {
    expect(calendarKey({ month: [{ start: 'JANUARY', end: 'OCTOBER', step: 3 }] })).toBe(
      calendarKey({ month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'] }),
    );
    expect(calendarKey({ dayOfWeek: '*' })).toBe(calendarKey({}));
    expect(calendarKey({ hour: 6 })).not.toBe(calendarKey({ hour: 6, minute: 30 }));
  });
});

describe('input checks', () => {
  test('periods', () => {
    expect(parsePeriod('weekly')).toBe('weekly');
    expect(parsePeriod('hourly')).toBeUndefined();
  });

  test('time zones: IANA names, case fixed for the server, aliases kept, others refused', () => {
    expect(resolveTimezone('UTC')).toBe('UTC');
    expect(resolveTimezone('europe/berlin')).toBe('Europe/Berlin');
    expect(resolveTimezone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(resolveTimezone('Mars/Olympus_Mons')).toBeUndefined();
  });

  test('catch-up windows under Temporal’s 10 s floor are refused', () => {
    expect(catchupWindowProblem(5_000)).toMatch(/at least 10s/);
    expect(catchupWindowProblem(10_000)).toBeUndefined();
  });

  test('a backfill range runs forwards and ends by now', () => {
    const now = new Date('2025-06-10T12:00:00Z');
    const day = (d: number) => new Date(Date.UTC(2025, 5, d));
    expect(backfillRangeProblem(day(3), day(1), now)).toMatch(/--from must be before --to/);
    expect(backfillRangeProblem(day(1), day(1), now)).toMatch(/--from must be before --to/);
    expect(backfillRangeProblem(day(1), day(11), now)).toMatch(/future/);
    expect(backfillRangeProblem(day(1), now, now)).toBeUndefined();
  });
});
