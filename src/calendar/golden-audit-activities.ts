import type { CalendarActivityDeps } from './activities';
import { monthlyActivities } from './monthly/monthly-activities';
import { quarterlyActivities } from './quarterly/quarterly-activities';

/** Monthly golden re-run with recalibration, and the quarterly audit, dataset review and rollback drills. */
export function goldenAuditActivities(deps: CalendarActivityDeps) {
  return {
    ...monthlyActivities({ db: deps.db, webhookUrl: deps.webhookUrl }),
    ...quarterlyActivities({ db: deps.db, drillApi: deps.drillApi }),
  };
}
