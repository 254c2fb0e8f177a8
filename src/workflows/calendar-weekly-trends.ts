import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { CalendarInput, CalendarRunResult } from '../calendar/shared/periods';
import { calendarAsOf } from './calendar-as-of';

type Activities = ReturnType<typeof createActivities>;

// Store reads and writes: the default retries heal a locked or restarting database. One call covers
// every production version at once.
const store = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes' });

/** Weekly quality trends: 7 days against the 7 before → a written summary with action items. */
export async function weeklyTrendsWorkflow(input: CalendarInput = {}): Promise<CalendarRunResult> {
  const { asOf, source } = calendarAsOf(input);
  const startedAt = new Date().toISOString();
  const { reportRef, counts } = await store.writeWeeklyTrendsReport({ asOf });
  const result: CalendarRunResult = { runId: workflowInfo().workflowId, period: 'weekly', asOf, counts, reportRef };
  await store.recordReviewRun({ ...result, startedAt, finishedAt: new Date().toISOString(), asOfSource: source });
  return result;
}
