import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import type { Period } from './periods';
import { decideScheduleChange, describeCalendars, type PlannedSchedule, type ScheduleChange } from './schedule-plan';

/**
 * Thin adapter between the calendar's schedule plan and `client.schedule`. The decisions (what the
 * Schedules should be, whether one differs) live in schedule-plan.ts.
 */

export interface ApplyResult {
  period: Period;
  scheduleId: string;
  change: ScheduleChange;
}

/** Creates the missing Schedules and updates the ones that differ; an unchanged one is not touched. */
export async function applySchedules(client: Client, plans: PlannedSchedule[]): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const plan of plans) results.push(await applySchedule(client, plan));
  return results;
}

async function applySchedule(client: Client, plan: PlannedSchedule, retried = false): Promise<ApplyResult> {
  const handle = client.schedule.getHandle(plan.scheduleId);
  const change = decideScheduleChange(plan, await describeIfExists(handle));
  if (change.kind === 'create') {
    try {
      await client.schedule.create({
        scheduleId: plan.scheduleId,
        spec: plan.spec,
        action: plan.action,
        policies: plan.policies,
        state: { note: 'created by refinery schedules apply' },
      });
    } catch (err) {
      // A concurrent apply created it after our describe: decide again against what it made.
      if (err instanceof ScheduleAlreadyRunning && !retried) return applySchedule(client, plan, true);
      throw err;
    }
  } else if (change.kind === 'update') {
    await handle.update((previous) => ({
      spec: plan.spec,
      action: plan.action,
      policies: plan.policies,
      // An update replaces the whole Schedule, state included: keep an operator's pause and its note.
      state: {
        paused: previous.state.paused,
        note: previous.state.note,
        remainingActions: previous.state.remainingActions,
      },
    }));
  }
  return { period: plan.period, scheduleId: plan.scheduleId, change };
}

async function describeIfExists(handle: ScheduleHandle): Promise<ScheduleDescription | undefined> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/** What `schedules list` shows for one period's Schedule. */
export interface ScheduleView {
  period: Period;
  scheduleId: string;
  exists: boolean;
  calendar?: string;
  timezone?: string;
  workflowType?: string;
  overlap?: string;
  catchupWindowMs?: number;
  paused?: boolean;
  note?: string;
  /** ISO times of the next few actions; Temporal lists them even while the Schedule is paused. */
  nextActionTimes: string[];
  /** The latest actions, oldest first: scheduled (nominal) time, when it was taken, the run it started. */
  recentActions: { scheduledAt: string; takenAt: string; workflowId: string }[];
}

/**
 * Describes each Schedule by id rather than listing them: describe is read from the Schedule itself,
 * while Temporal's schedule list comes from visibility and can lag a fresh apply.
 */
export async function describeSchedules(
  client: Client,
  schedules: { period: Period; scheduleId: string }[],
): Promise<ScheduleView[]> {
  return Promise.all(
    schedules.map(async ({ period, scheduleId }): Promise<ScheduleView> => {
      const d = await describeIfExists(client.schedule.getHandle(scheduleId));
      if (!d) return { period, scheduleId, exists: false, nextActionTimes: [], recentActions: [] };
      return {
        period,
        scheduleId,
        exists: true,
        calendar: describeCalendars(d.spec.calendars),
        timezone: d.spec.timezone || 'UTC',
        workflowType: d.action.workflowType,
        overlap: d.policies.overlap,
        catchupWindowMs: d.policies.catchupWindow,
        paused: d.state.paused,
        note: d.state.note || undefined,
        nextActionTimes: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
        recentActions: d.info.recentActions.slice(-5).map((a) => ({
          scheduledAt: a.scheduledAt.toISOString(),
          takenAt: a.takenAt.toISOString(),
          workflowId: a.action.workflow.workflowId,
        })),
      };
    }),
  );
}

/** Pauses a Schedule; the note says why and shows in `schedules list` and the Web UI. */
export async function pauseSchedule(client: Client, scheduleId: string, note: string): Promise<void> {
  await client.schedule.getHandle(scheduleId).pause(note);
}

/** Resumes a paused Schedule; the note replaces the pause note. */
export async function resumeSchedule(client: Client, scheduleId: string, note: string): Promise<void> {
  await client.schedule.getHandle(scheduleId).unpause(note);
}

/**
 * Starts one run now, even while the Schedule is paused, and returns the started workflow id when
 * the Schedule reports it within waitMs (else undefined: the run may still be on its way).
 */
export async function triggerSchedule(client: Client, scheduleId: string, waitMs = 5000): Promise<string | undefined> {
  const handle = client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.numActionsTaken;
  // ALLOW_ALL: an operator asked for a run now. Under the calendar's SKIP policy the trigger would be
  // dropped without a word whenever the previous run is still going, which reads as "nothing happened".
  // Runs do not collide: each gets its own id from the trigger time.
  await handle.trigger('ALLOW_ALL');
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const { info } = await handle.describe();
    if (info.numActionsTaken > before) return info.recentActions.at(-1)?.action.workflow.workflowId;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

/** Takes every action the calendar would have taken between from and to (both inclusive), now. */
export async function backfillSchedule(client: Client, scheduleId: string, from: Date, to: Date): Promise<void> {
  // ALLOW_ALL: a backfill evaluates the whole range at once, so with SKIP every run after the first is
  // skipped as overlapping it. Each backfilled run reviews its own nominal time, so they are independent.
  await client.schedule.getHandle(scheduleId).backfill({ start: from, end: to, overlap: 'ALLOW_ALL' });
}
