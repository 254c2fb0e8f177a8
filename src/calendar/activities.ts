import type { CalendarActivityDeps } from './shared/activity-deps';
import { dailyReviewActivities } from './daily/daily-review-activities';
import { harvestActivities } from './daily/harvest-activities';
import { monthlyActivities } from './monthly/monthly-activities';
import { quarterlyActivities } from './quarterly/quarterly-activities';
import { calendarRunActivities } from './shared/calendar-run-activities';
import { weeklyTrendsActivities } from './weekly/weekly-trends-activities';

export type { CalendarActivityDeps } from './shared/activity-deps';

/** Activities of the four calendar workflows: daily review, weekly trends, monthly golden re-run, quarterly audit. */
export function calendarActivities(deps: CalendarActivityDeps) {
  return {
    ...dailyReviewActivities(deps),
    ...weeklyTrendsActivities(deps),
    ...calendarRunActivities(deps),
    ...monthlyActivities({ db: deps.db, webhook: deps.webhook }),
    ...quarterlyActivities({ db: deps.db, drillApi: deps.drillApi }),
    ...harvestActivities(deps),
  };
}
