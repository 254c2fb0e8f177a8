import path from 'node:path';
import type { CalendarActivityDeps } from '.';
import { monthlyActivities } from './monthly';
import { quarterlyActivities } from './quarterly';

/** Where regression tunes keep their working copies: `<REFINERY_HOME>/calendar/tunes`, never a checkout. */
const tuneRoot = (deps: CalendarActivityDeps) => path.join(deps.home ?? path.resolve('.refinery'), 'calendar', 'tunes');

/** Monthly golden re-run with recalibration, and the quarterly audit, dataset review and rollback drills. */
export function goldenAuditActivities(deps: CalendarActivityDeps) {
  return {
    ...monthlyActivities({ db: deps.db, tuneRoot: tuneRoot(deps), webhookUrl: deps.webhookUrl }),
    ...quarterlyActivities({ db: deps.db, drillApi: deps.drillApi }),
  };
}
