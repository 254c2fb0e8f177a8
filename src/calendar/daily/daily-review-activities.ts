import { asyncLocalStorage } from '@temporalio/activity';
import { QUEUE_ROWS } from '../alerts/alert-queue';
import { alertPayload } from '../alerts/alert-payload';
import { alertsStampedAt, unresolvedCount, unresolvedQueue } from '../alerts/alert-queue-store';
import { evaluateAlerts, planAlerts, type Finding } from '../alerts/alert-rules';
import { applyAlertActions, getAlert, getAlertPolicy, unresolvedForPlanning } from '../alerts/alert-store';
import type { CalendarActivityDeps } from '../shared/activity-deps';
import { productionVersions } from '../shared/production-store';
import { qualitySignals } from '../shared/quality-signal-store';
import { getJson, putBlob, putJson } from '../../store/blobs';
import { postWebhook } from '../../webhook';
import {
  dailyReport,
  reviewWindows,
  worstFirst,
  type DailyOutcome,
  type NotifyOutcome,
  type ReviewSummary,
} from './daily-review';

/**
 * Activities of the daily monitoring review. Each takes the whole batch (every
 * production version, every alert) in one call and returns counts, new alert ids and blob hashes, so a
 * workflow run's history stays the same size however many prompts and alerts the store holds.
 */
export function dailyReviewActivities(deps: CalendarActivityDeps) {
  const { db } = deps;
  const alertRows = async (ids: string[]) =>
    (await Promise.all(ids.map((id) => getAlert(db, id)))).filter((a) => a !== undefined);
  return {
    /** Today against each production version's 30-day baseline: counts, and the findings as a blob. */
    async reviewQualitySignals(p: { asOf: string }): Promise<ReviewSummary> {
      const { current, baseline } = reviewWindows(new Date(p.asOf));
      const versions = await productionVersions(db);
      const findings: Finding[] = [];
      let tooFewSamples = 0;
      for (const v of versions) {
        const policy = await getAlertPolicy(db, v.name);
        const today = await qualitySignals(db, v.name, v.version, current.days, current.end);
        const base = await qualitySignals(db, v.name, v.version, baseline.days, baseline.end);
        const judged = (s: typeof today) => Math.max(s.volume, s.votes) >= policy.minSamples;
        if (!judged(today) || !judged(base)) tooFewSamples++;
        findings.push(...evaluateAlerts(today, base, policy));
      }
      return {
        reviewed: versions.length,
        tooFewSamples,
        findings: findings.length,
        findingsRef: await putJson(db, worstFirst(findings)),
      };
    },

    /** Dedupes the findings against the open alerts, opens, escalates (incidents for Critical). */
    async applyReviewAlerts(p: { asOf: string; findingsRef: string }): Promise<DailyOutcome> {
      const now = new Date(p.asOf);
      const findings = await getJson<Finding[]>(db, p.findingsRef);
      const actions = planAlerts(findings, await unresolvedForPlanning(db), now);
      const applied = await applyAlertActions(db, actions, now);
      let opened = applied.opened.map((a) => a.alertId);
      let escalated = applied.escalated.map((a) => a.alertId);
      // A retry after the transaction committed plans "keep" for what the first attempt opened. The
      // review stamps its changes with its as-of time, so reading them back gives the first attempt's
      // answer and the notification is not lost. (Only on a retry: a later re-run of the same day must
      // not announce the earlier run's alerts again.)
      if ((asyncLocalStorage.getStore()?.info.attempt ?? 1) > 1) {
        const stamped = await alertsStampedAt(db, now.toISOString());
        opened = [...new Set([...opened, ...stamped.opened])];
        escalated = [...new Set([...escalated, ...stamped.escalated])];
      }
      const openedKeys = new Set(applied.opened.map((a) => a.dedupeKey));
      return {
        opened,
        escalated,
        kept: findings.filter((f) => !openedKeys.has(f.dedupeKey)).length,
        unresolved: await unresolvedCount(db),
      };
    },

    /** Posts the new and escalated alerts to the Slack-compatible webhook, when one is configured. */
    async notifyReviewAlerts(p: { asOf: string; opened: string[]; escalated: string[] }): Promise<{ sent: boolean }> {
      if (!deps.webhook) return { sent: false };
      await postWebhook(deps.webhook, alertPayload(await alertRows(p.opened), await alertRows(p.escalated), p.asOf));
      return { sent: true };
    },

    /** The day's markdown report (changes, findings, the open queue), stored as a blob. */
    async writeDailyReviewReport(p: {
      asOf: string;
      review: ReviewSummary;
      outcome: DailyOutcome;
      notified: NotifyOutcome;
    }): Promise<string> {
      const { queue, total } = await unresolvedQueue(db, QUEUE_ROWS);
      const markdown = dailyReport({
        asOf: p.asOf,
        reviewed: p.review.reviewed,
        tooFewSamples: p.review.tooFewSamples,
        findings: await getJson<Finding[]>(db, p.review.findingsRef),
        opened: await alertRows(p.outcome.opened),
        escalated: await alertRows(p.outcome.escalated),
        notified: p.notified,
        queue,
        unresolvedTotal: total,
      });
      return putBlob(db, markdown);
    },
  };
}
