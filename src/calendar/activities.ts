import type { Config } from '../config';
import type { DrillApi } from '../library/staging-drill';
import type { Db } from '../store/db';
import { reviewActivities } from './daily/daily-review-activities';
import { goldenAuditActivities } from './golden-audit-activities';
import { harvestActivities } from './daily/harvest-activities';

export interface CalendarActivityDeps {
  db: Db;
  providers: Pick<Config, 'provider' | 'anthropic' | 'gemini' | 'openai'>;
  /** Slack-compatible webhook for alerts (REFINERY_WEBHOOK_URL). */
  webhookUrl?: string;
  /** Base of links in reports (REFINERY_PUBLIC_URL). */
  publicUrl?: string;
  /** The API the quarterly rollback drill moves staging through (REFINERY_API_URL, REFINERY_API_TOKEN). */
  drillApi?: Partial<DrillApi>;
}

/** Activities of the four calendar workflows: daily/weekly reviews, monthly golden re-run, quarterly audit. */
export function calendarActivities(deps: CalendarActivityDeps) {
  return { ...reviewActivities(deps), ...goldenAuditActivities(deps), ...harvestActivities(deps) };
}
