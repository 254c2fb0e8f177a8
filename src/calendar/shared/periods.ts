/**
 * The improvement calendar's four periods (reference 001) and the workflow each Schedule starts.
 * Shared by the Schedules, the workflows and the CLI so the names cannot drift apart.
 */
export const PERIODS = ['daily', 'weekly', 'monthly', 'quarterly'] as const;
export type Period = (typeof PERIODS)[number];

export const CALENDAR_WORKFLOW_TYPES: Record<Period, string> = {
  daily: 'dailyReviewWorkflow',
  weekly: 'weeklyTrendsWorkflow',
  monthly: 'monthlyGoldenWorkflow',
  quarterly: 'quarterlyAuditWorkflow',
};

/** Schedule ids are stable per period so `schedules apply` updates rather than duplicates. */
export const scheduleIdFor = (period: Period, prefix = 'refinery') => `${prefix}-${period}`;

/**
 * Input of every calendar workflow. All fields optional: a Schedule starts them with `{}` and the
 * workflow takes its "as of" time from the Schedule's nominal start time (so a backfill reviews the
 * backfilled day, not today).
 */
export interface CalendarInput {
  /** ISO time the run reviews up to; default: the scheduled start time, else the workflow's clock. */
  asOf?: string;
  /** Monthly: start a tune run for each regressed prompt (default true). */
  tuneOnRegression?: boolean;
  /** Monthly: send the golden re-runs through the providers' batch APIs (half price, answers within hours). */
  batch?: boolean;
  /** Monthly: provider for the golden re-run and tunes, e.g. offline for tests (default: worker's). */
  provider?: 'auto' | 'anthropic' | 'gemini' | 'openai' | 'offline';
}

/** What each calendar workflow returns and records in `calendar_runs`: counts and a report reference. */
export interface CalendarRunResult {
  runId: string;
  period: Period;
  asOf: string;
  /** Short machine-readable counts, e.g. { opened: 2, escalated: 1 }. */
  counts: Record<string, number>;
  /** Blob hash of the markdown report. */
  reportRef?: string;
}
