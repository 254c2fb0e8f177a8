import type { CalendarActivityDeps } from './activity-deps';
import { recordCalendarRun } from './calendar-run-store';
import type { CalendarRunResult } from './periods';

/** The daily review's and the weekly trends' record of a finished run. */
export function calendarRunActivities({ db }: Pick<CalendarActivityDeps, 'db'>) {
  return {
    /** The run's line in the ops log (calendar_runs): counts, report, and where its as-of time came from. */
    async recordReviewRun(
      r: CalendarRunResult & { startedAt: string; finishedAt: string; asOfSource: string },
    ): Promise<void> {
      const { asOfSource, ...run } = r;
      await recordCalendarRun(db, { ...run, summary: { asOfSource } });
    },
  };
}
