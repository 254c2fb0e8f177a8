import { ActivityFailure } from '@temporalio/common';
import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { dailyCounts, type NotifyOutcome } from '../calendar/daily/daily-review';
import type { CalendarInput, CalendarRunResult } from '../calendar/shared/periods';
import { calendarAsOf } from './calendar-as-of';

type Activities = ReturnType<typeof createActivities>;

// Store reads and writes: the default retries heal a locked or restarting database. Each call handles
// the whole batch, so the timeout covers reviewing every production version at once.
const store = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes' });
// The webhook is someone else's service: a few spaced attempts (about 2.5 minutes in all), then the run
// records the failure and finishes. The alerts are stored already, so nothing re-opens or is lost.
const webhook = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Daily monitoring review: today's signals against 30-day baselines → deduped, escalated alerts; failures harvested. */
export async function dailyReviewWorkflow(input: CalendarInput = {}): Promise<CalendarRunResult> {
  const { asOf, source } = calendarAsOf(input);
  const startedAt = new Date().toISOString();
  const review = await store.reviewQualitySignals({ asOf });
  const outcome = await store.applyReviewAlerts({ asOf, findingsRef: review.findingsRef });
  let notified: NotifyOutcome = 'skipped';
  if (outcome.opened.length + outcome.escalated.length > 0) {
    try {
      const sent = await webhook.notifyReviewAlerts({ asOf, opened: outcome.opened, escalated: outcome.escalated });
      notified = sent.sent ? 'sent' : 'skipped';
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('the alert webhook failed after its retries; the alerts are stored', {
        asOf,
        error: err.cause?.message ?? err.message,
      });
      notified = 'failed';
    }
  }
  const reportRef = await store.writeDailyReviewReport({ asOf, review, outcome, notified });
  // The day's failed runs go to each production item's review queue (`refinery cases review`).
  const harvest = await store.harvestProductionCases({ asOf });
  const result: CalendarRunResult = {
    runId: workflowInfo().workflowId,
    period: 'daily',
    asOf,
    counts: { ...dailyCounts(review, outcome, notified), casesQueued: harvest.queued, casesMerged: harvest.merged },
    reportRef,
  };
  await store.recordReviewRun({ ...result, startedAt, finishedAt: new Date().toISOString(), asOfSource: source });
  return result;
}
