import type { Config } from '../../config';
import type { DrillApi } from '../../library/staging-drill';
import type { Db } from '../../store/db';
import type { Webhook } from '../../webhook';

/**
 * What the calendar's activities are built from. A types-only module of its own, so each period's
 * activities and the composition in src/calendar/activities.ts do not import each other.
 */
export interface CalendarActivityDeps {
  db: Db;
  providers: Pick<Config, 'provider' | 'anthropic' | 'gemini' | 'openai'>;
  /** Slack-compatible webhook for alerts (REFINERY_WEBHOOK_URL, signed with REFINERY_WEBHOOK_SECRET). */
  webhook?: Webhook;
  /** Base of links in reports (REFINERY_PUBLIC_URL). */
  publicUrl?: string;
  /** The API the quarterly rollback drill moves staging through (REFINERY_API_URL, REFINERY_API_TOKEN). */
  drillApi?: Partial<DrillApi>;
}
