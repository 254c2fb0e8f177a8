import {
  DAYS_OF_WEEK,
  MONTHS,
  type CalendarSpec,
  type CalendarSpecDescription,
  type DayOfWeek,
  type Month,
  type ScheduleDescription,
  type ScheduleOverlapPolicy,
} from '@temporalio/client';
import { calendarMetadata } from '../../web-ui/static-metadata';
import { CALENDAR_WORKFLOW_TYPES, PERIODS, scheduleIdFor, type CalendarInput, type Period } from './periods';

/**
 * What `refinery schedules apply` wants Temporal to hold: one Schedule per calendar period, and the
 * decision whether an existing Schedule already matches. Pure, so the rules are unit-tested without
 * a server; src/calendar/shared/schedules-client.ts carries the plan to Temporal.
 */

/** When each period runs, as clock time in the configured time zone (reference 001's calendar). */
export const DEFAULT_CALENDARS: Record<Period, CalendarSpec> = {
  daily: { hour: 6, minute: 0, comment: 'daily review, every day at 06:00' },
  weekly: { dayOfWeek: 'MONDAY', hour: 7, minute: 0, comment: 'weekly trends, Mondays at 07:00' },
  monthly: { dayOfMonth: 1, hour: 8, minute: 0, comment: 'monthly golden re-run, day 1 at 08:00' },
  quarterly: {
    month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
    dayOfMonth: 1,
    hour: 9,
    minute: 0,
    comment: 'quarterly audit, 1 Jan/Apr/Jul/Oct at 09:00',
  },
};

/**
 * A day: after an outage the missed daily review still runs the same day, but a worker that was down
 * for a week does not start a burst of stale reviews (use `schedules backfill` for those).
 */
export const DEFAULT_CATCHUP_WINDOW_MS = 86_400_000;
/** Temporal silently raises shorter catch-up windows to 10 s; refusing them keeps describe == plan. */
export const MIN_CATCHUP_WINDOW_MS = 10_000;

/**
 * SKIP: a period's run that is still going when the next one is due (a slow monthly golden re-run)
 * is not doubled up; the next run covers the newer data anyway.
 */
export const CALENDAR_OVERLAP: ScheduleOverlapPolicy = 'SKIP';

export interface PlanOptions {
  /** IANA name, already checked with resolveTimezone. */
  timezone: string;
  catchupWindowMs: number;
  taskQueue: string;
  /** Schedule id prefix; tests use a unique one to stay apart from the real calendar. */
  prefix: string;
  /** The monthly golden re-run goes through the providers' batch APIs (half price, slower). */
  monthlyBatch?: boolean;
  /** The start memo naming the store the calendar's runs belong to (temporal/store-binding.ts). */
  memo?: Record<string, unknown>;
}

export interface PlannedSchedule {
  period: Period;
  scheduleId: string;
  spec: { calendars: CalendarSpec[]; timezone: string };
  action: {
    type: 'startWorkflow';
    workflowType: string;
    taskQueue: string;
    /** Temporal appends the nominal time (`-2025-01-01T06:00:00Z`), so each run's id is unique. */
    workflowId: string;
    args: [CalendarInput];
    memo?: Record<string, unknown>;
    /** What the Web UI shows for each run the Schedule starts. */
    staticSummary: string;
    staticDetails: string;
  };
  policies: { overlap: ScheduleOverlapPolicy; catchupWindow: number; pauseOnFailure: boolean };
}

/** The Schedules for every period, in PERIODS order. */
export function planSchedules(options: PlanOptions): PlannedSchedule[] {
  return PERIODS.map((period) => {
    const scheduleId = scheduleIdFor(period, options.prefix);
    return {
      period,
      scheduleId,
      spec: { calendars: [DEFAULT_CALENDARS[period]], timezone: options.timezone },
      action: {
        type: 'startWorkflow',
        workflowType: CALENDAR_WORKFLOW_TYPES[period],
        taskQueue: options.taskQueue,
        workflowId: scheduleId,
        // No "as of" in the input: the workflow reads it from the Schedule's nominal start time.
        args: [period === 'monthly' && options.monthlyBatch ? { batch: true } : {}],
        ...(options.memo ? { memo: options.memo } : {}),
        ...calendarMetadata(period, scheduleId, { batch: period === 'monthly' && options.monthlyBatch }),
      },
      // pauseOnFailure off: one failed review must not silently stop the calendar; failures alert instead.
      policies: { overlap: CALENDAR_OVERLAP, catchupWindow: options.catchupWindowMs, pauseOnFailure: false },
    };
  });
}

/** The period named by text, or undefined. */
export function parsePeriod(text: string): Period | undefined {
  return (PERIODS as readonly string[]).includes(text) ? (text as Period) : undefined;
}

/**
 * The IANA name Temporal will accept for text, or undefined when it is not a time zone. Node accepts
 * any letter case ("europe/berlin") but the server's zone lookup does not, so the case is fixed here.
 */
export function resolveTimezone(text: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  // Keep the caller's spelling of aliases (Intl may map Asia/Kolkata to Asia/Calcutta); fix only case.
  return resolved.toLowerCase() === text.toLowerCase() ? resolved : text;
}

/** Why a catch-up window cannot be used, or undefined when it can. */
export function catchupWindowProblem(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_CATCHUP_WINDOW_MS)
    return `must be at least 10s (Temporal treats anything shorter as 10s), e.g. 12h or 1d`;
  return undefined;
}

/** Why a backfill range cannot be used, or undefined when it can. */
export function backfillRangeProblem(from: Date, to: Date, now: Date): string | undefined {
  if (from.getTime() >= to.getTime()) return '--from must be before --to';
  // Temporal would start runs for future times immediately, reviewing days that have not happened.
  if (to.getTime() > now.getTime()) return '--to is in the future: backfill covers past times, use --to now or earlier';
  return undefined;
}

export type ScheduleChange = { kind: 'create' } | { kind: 'update'; differences: string[] } | { kind: 'unchanged' };

/** The parts of a described Schedule that apply manages. */
export type DescribedSchedule = Pick<ScheduleDescription, 'spec' | 'action' | 'policies'>;

/**
 * Create when there is no Schedule, update when any managed part differs from the plan (naming the
 * parts), else leave it alone: so a second apply sends nothing and keeps the Schedule's history.
 */
export function decideScheduleChange(plan: PlannedSchedule, described: DescribedSchedule | undefined): ScheduleChange {
  if (!described) return { kind: 'create' };
  const differences: string[] = [];
  const { spec, action, policies } = described;
  const calendars = spec.calendars ?? [];
  if (
    calendars.length !== plan.spec.calendars.length ||
    plan.spec.calendars.some((c, i) => calendarKey(c) !== calendarKey(calendars[i]!))
  )
    differences.push('calendar');
  if ((spec.intervals?.length ?? 0) > 0 || (spec.skip?.length ?? 0) > 0 || spec.startAt || spec.endAt || spec.jitter)
    differences.push('extra spec (intervals, skips, start/end or jitter)');
  // An unset zone is UTC on the server.
  if ((spec.timezone || 'UTC') !== plan.spec.timezone) differences.push('timezone');
  if (policies.overlap !== plan.policies.overlap) differences.push('overlap policy');
  if (policies.catchupWindow !== plan.policies.catchupWindow) differences.push('catch-up window');
  if (policies.pauseOnFailure !== plan.policies.pauseOnFailure) differences.push('pause on failure');
  if (action.workflowType !== plan.action.workflowType) differences.push('workflow type');
  if (action.taskQueue !== plan.action.taskQueue) differences.push('task queue');
  if (action.workflowId !== plan.action.workflowId) differences.push('workflow id');
  if (JSON.stringify(action.args ?? []) !== JSON.stringify(plan.action.args)) differences.push('workflow input');
  if (action.staticSummary !== plan.action.staticSummary || action.staticDetails !== plan.action.staticDetails)
    differences.push('Web UI summary');
  if (plan.action.memo && JSON.stringify(action.memo ?? {}) !== JSON.stringify(plan.action.memo))
    differences.push('store');
  return differences.length ? { kind: 'update', differences } : { kind: 'unchanged' };
}

type Field = 'second' | 'minute' | 'hour' | 'dayOfMonth' | 'month' | 'year' | 'dayOfWeek';
/** Each field's values, how a name becomes a number, and what an omitted field means (SDK defaults). */
const FIELDS: Record<
  Field,
  { all: [number, number] | undefined; omitted: 'zero' | 'all'; toNumber?: (v: string) => number }
> = {
  second: { all: [0, 59], omitted: 'zero' },
  minute: { all: [0, 59], omitted: 'zero' },
  hour: { all: [0, 23], omitted: 'zero' },
  dayOfMonth: { all: [1, 31], omitted: 'all' },
  month: { all: [1, 12], omitted: 'all', toNumber: (m) => MONTHS.indexOf(m as Month) + 1 },
  // Years have no finite "all": Temporal encodes any year as no ranges at all.
  year: { all: undefined, omitted: 'all' },
  dayOfWeek: { all: [0, 6], omitted: 'all', toNumber: (d) => DAYS_OF_WEEK.indexOf(d as DayOfWeek) },
};

type LooseValue = number | string | { start: number | string; end?: number | string; step?: number };

/**
 * A calendar as the exact set of values each field matches, plus its comment: equal for a plan's loose
 * `{ hour: 6 }` and the server's expanded `hour: [{ start: 6, end: 6, step: 1 }]`, so whatever shape
 * the server returns ranges in, only a real change of times counts.
 */
export function calendarKey(calendar: CalendarSpec | CalendarSpecDescription): string {
  const fields = (Object.keys(FIELDS) as Field[]).map((field) => {
    const { all, omitted, toNumber } = FIELDS[field];
    const raw = calendar[field] as LooseValue | LooseValue[] | undefined;
    const num = (v: number | string) => (typeof v === 'number' ? v : toNumber!(v));
    const allValues = () => (all ? range(all[0], all[1], 1) : []);
    let values: number[];
    if (raw === undefined) values = omitted === 'zero' ? [0] : allValues();
    else if (raw === '*') values = allValues();
    else
      values = (Array.isArray(raw) ? raw : [raw]).flatMap((item) => {
        if (typeof item !== 'object') return [num(item)];
        const start = num(item.start);
        // Same reading as Temporal's: an end before the start means just the start, a step below 1 means 1.
        const end = item.end === undefined ? start : Math.max(start, num(item.end));
        return range(start, end, Math.max(1, item.step ?? 1));
      });
    // "Every value" spelled out equals "every value" left open.
    const set = [...new Set(values)].sort((a, b) => a - b);
    const isAll = all !== undefined && set.length === all[1] - all[0] + 1;
    return `${field}=${isAll ? '*' : set.join(',')}`;
  });
  return [...fields, `comment=${calendar.comment ?? ''}`].join(' ');
}

function range(start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let v = start; v <= end; v += step) out.push(v);
  return out;
}

/** One line per calendar for `schedules list`: its comment, else its key. */
export function describeCalendars(calendars: (CalendarSpec | CalendarSpecDescription)[] | undefined): string {
  return (calendars ?? []).map((c) => c.comment || calendarKey(c)).join('; ') || '(no calendar)';
}
