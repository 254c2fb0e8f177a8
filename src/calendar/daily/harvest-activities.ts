import { harvestCases } from '../../cases/harvest';
import { productionVersions } from '../shared/production-store';
import { LibraryError } from '../../library/errors';
import type { CalendarActivityDeps } from '../shared/activity-deps';

/** The daily review's harvest: every prompt or skill in production, from its cursor (see src/cases/harvest.ts). */
export function harvestActivities({ db }: Pick<CalendarActivityDeps, 'db'>) {
  return {
    /** Queues each production item's new failures for review; returns counts only, so history stays small. */
    async harvestProductionCases(p: { asOf: string }): Promise<{ harvested: number; queued: number; merged: number }> {
      const names = [...new Set((await productionVersions(db)).map((v) => v.name))];
      const out = { harvested: 0, queued: 0, merged: 0 };
      for (const name of names) {
        try {
          const r = await harvestCases(db, name, { now: new Date(p.asOf) });
          out.harvested++;
          out.queued += r.queued;
          out.merged += r.merged;
        } catch (err) {
          // An on-demand harvest of the same name won the race: it read the same rows, nothing is lost.
          if (!(err instanceof LibraryError && err.status === 409)) throw err;
        }
      }
      return out;
    },
  };
}
