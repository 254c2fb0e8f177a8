import type { Config } from '../config';
import type { DrillApi } from '../library/staging-drill';
import type { Db } from '../store/db';
import type { Webhook } from '../webhook';
import { selfCheckActivities } from './self-check';
import { evalActivities } from './eval';
import { rolloutActivities } from './rollout';
import { tuneActivities } from './tune';
import { optimizeActivities } from './optimize';
import { calendarActivities } from '../calendar/activities';
import { improveActivities } from './improve';

export interface ActivityDeps {
  db: Db;
  /** Provider settings and keys; only the worker holds them. Tests that run no model call may omit them. */
  providers?: Pick<Config, 'provider' | 'anthropic' | 'gemini' | 'openai'>;
  /** Base of prompt links in reports (REFINERY_PUBLIC_URL). */
  publicUrl?: string;
  /** Where alerts go (REFINERY_WEBHOOK_URL): a Slack-compatible JSON POST, signed with REFINERY_WEBHOOK_SECRET. */
  webhook?: Webhook;
  /** The API the quarterly rollback drill moves staging through (REFINERY_API_URL, REFINERY_API_TOKEN). */
  drillApi?: Partial<DrillApi>;
  /** REFINERY_ADMINS: approvers of a rollout the optimizer starts (`tune --then-rollout`), with the item's owner. */
  admins?: string[];
}

/** Every activity, built from injected dependencies so tests can swap them. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...selfCheckActivities(deps.db),
    ...tuneActivities(deps.db, deps.providers ?? { provider: 'offline', anthropic: {}, gemini: {} }, deps.publicUrl),
    ...rolloutActivities(deps.db, deps.webhook),
    ...evalActivities(deps.db, deps.providers ?? { provider: 'offline', anthropic: {}, gemini: {} }),
    ...optimizeActivities(deps.db, deps.providers ?? { provider: 'offline', anthropic: {}, gemini: {} }, {
      publicUrl: deps.publicUrl ?? 'http://127.0.0.1:8787',
      admins: deps.admins ?? [],
    }),
    ...calendarActivities({
      db: deps.db,
      providers: deps.providers ?? { provider: 'offline', anthropic: {}, gemini: {} },
      webhook: deps.webhook,
      publicUrl: deps.publicUrl,
      drillApi: deps.drillApi,
    }),
    ...improveActivities(deps.db, { admins: deps.admins ?? [], webhook: deps.webhook }),
  };
}
