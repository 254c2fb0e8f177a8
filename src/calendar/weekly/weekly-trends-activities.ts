import { QUEUE_ROWS } from '../alerts/alert-queue';
import { unresolvedQueue, alertActivity } from '../alerts/alert-queue-store';
import { getAlertPolicy, resolutionCounts } from '../alerts/alert-store';
import { countPostRunEvals } from '../shared/post-run-eval-store';
import { productionVersions } from '../shared/production-store';
import { qualitySignals } from '../shared/quality-signal-store';
import type { CalendarActivityDeps } from '../shared/activity-deps';
import { putBlob } from '../../store/blobs';
import { actionItemsFor, DEFAULT_TREND_POLICY, weekOverWeek, type PromptTrends } from './trends';
import { weeklyCounts, weeklyReport, type WeeklyReportInput } from './weekly-report';

const DAY_MS = 86_400_000;

/** The weekly trends' activity: one call over every production version, returning the report's hash and counts. */
export function weeklyTrendsActivities({ db }: Pick<CalendarActivityDeps, 'db'>) {
  return {
    /** The week's trends, action items, alert queue and post-run eval counts, as a stored markdown report. */
    async writeWeeklyTrendsReport(p: { asOf: string }): Promise<{ reportRef: string; counts: Record<string, number> }> {
      const until = new Date(p.asOf);
      const weekStart = new Date(until.getTime() - 7 * DAY_MS);
      const since = weekStart.toISOString();
      const prompts: PromptTrends[] = [];
      for (const v of await productionVersions(db)) {
        const { minSamples } = await getAlertPolicy(db, v.name);
        const current = await qualitySignals(db, v.name, v.version, 7, until);
        const previous = await qualitySignals(db, v.name, v.version, 7, weekStart);
        prompts.push({
          ...v,
          volume: { current: current.volume, previous: previous.volume },
          trends: weekOverWeek(current, previous, { ...DEFAULT_TREND_POLICY, minSamples }),
        });
      }
      const { queue, total } = await unresolvedQueue(db, QUEUE_ROWS);
      const activity = await alertActivity(db, since, p.asOf);
      const resolved = await resolutionCounts(db, since, p.asOf);
      const input: WeeklyReportInput = {
        asOf: p.asOf,
        since,
        prompts,
        actionItems: prompts.flatMap(actionItemsFor),
        queue,
        unresolvedTotal: total,
        alertsThisWeek: {
          ...activity,
          resolved: resolved.reduce((n, r) => n + r.resolved, 0),
          falsePositives: resolved.reduce((n, r) => n + r.falsePositives, 0),
        },
        postRunEvals: await countPostRunEvals(db, since, p.asOf),
      };
      return { reportRef: await putBlob(db, weeklyReport(input)), counts: weeklyCounts(input) };
    },
  };
}
