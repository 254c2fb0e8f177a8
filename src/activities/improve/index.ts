import { ApplicationFailure } from '@temporalio/common';
import { alertIdByKey, applyAlertActions } from '../../calendar/alerts/alert-store';
import { POST_ROLLOUT_SIGNAL } from '../../calendar/alerts/alert-rules';
import { harvestCases } from '../../cases/harvest';
import { publishAccepted } from '../../cases/case-review';
import type { FailureKind } from '../../cases/failure-kinds';
import {
  failureCounts,
  getImproveStep,
  markNotified,
  publishedCases,
  publishedSince,
  putImproveStep,
  resolveShippedFeedback,
  unnotifiedResolutions,
} from '../../improve/improve-store';
import type { CheckOutcome, ImproveInput, KindRates } from '../../improve/types';
import { LibraryError } from '../../library/errors';
import { resolveLabel } from '../../library/label-store';
import { getContent, requireItem } from '../../library/versions';
import { buildRolloutInput, rolloutWorkflowId, RolloutRequestError } from '../../rollout/start';
import type { RolloutInput } from '../../rollout/types';
import type { Db } from '../../store/db';
import { postWebhook, type Webhook } from '../../webhook';

/** What an improve run learns of its item at the start: fixed for the run, so a replay sees the same. */
export interface ImproveStart {
  productionVersion: number;
  kind: 'text' | 'chat' | 'skill';
  approvers: string[];
  startedAt: string;
}

/** Permanent failures: a retry cannot heal a missing item or a refused rollout. */
const permanent = (type: string, err: unknown) =>
  ApplicationFailure.create({
    type,
    message: err instanceof Error ? err.message : String(err),
    nonRetryable: true,
    cause: err instanceof Error ? err : undefined,
  });

/**
 * The activities of `refinery improve`: thin adapters over the review queue, the store and the webhook. Each is
 * keyed by the run id and step, and a step whose side effect must not repeat stores its result (improve_steps).
 */
export function improveActivities(db: Db, opts: { admins: string[]; webhook?: Webhook }) {
  return {
    /** The item's production version (else its latest), kind and approvers, stored once per run. */
    async startImprove(p: { runId: string; name: string; startedAt: string }): Promise<ImproveStart> {
      const stored = await getImproveStep<ImproveStart>(db, p.runId, 'start');
      if (stored) return stored;
      try {
        const item = await requireItem(db, p.name);
        const production = await resolveLabel(db, p.name, 'production').catch(() => undefined);
        const version = production ?? (await resolveLabel(db, p.name, 'latest'));
        const content = await getContent(db, p.name, { version });
        return putImproveStep(db, p.runId, p.name, 'start', {
          productionVersion: version,
          kind: content.type,
          approvers: [...new Set([item.owner, ...opts.admins])],
          startedAt: p.startedAt,
        });
      } catch (err) {
        if (err instanceof LibraryError) throw permanent('ImproveRefused', err);
        throw err;
      }
    },

    /** Samples the item's failures since its last harvest into the review queue (once per run). */
    async harvestForImprove(p: { runId: string; name: string; limit?: number }) {
      const stored = await getImproveStep<{ queued: number; candidates: number; kinds: FailureKind[] }>(
        db,
        p.runId,
        'harvest',
      );
      if (stored) return stored;
      const r = await harvestCases(db, p.name, { limit: p.limit, harvestId: `${p.runId}-harvest` });
      const kinds = [...new Set(r.strata.filter((s) => s.sampled > 0).map((s) => s.kind))];
      return putImproveStep(db, p.runId, p.name, 'harvest', { queued: r.queued, candidates: r.candidates, kinds });
    },

    /**
     * The accepted cases as a new dataset version (tagged by source), once per run; undefined when the review
     * accepted none. A retry after the publish but before its record finds the version it published.
     */
    async publishReviewed(p: {
      runId: string;
      name: string;
      dataset?: string;
      since: string;
      author: string;
    }): Promise<{ name: string; version: number; added: number; kinds: FailureKind[] } | null> {
      const stored = await getImproveStep<{
        name: string;
        version: number;
        added: number;
        kinds: FailureKind[];
      } | null>(db, p.runId, 'publish');
      if (stored !== undefined) return stored;
      const published = await publishAccepted(db, p.name, { dataset: p.dataset, author: p.author });
      const found = published ? undefined : await publishedSince(db, p.name, p.since);
      const result = published
        ? {
            name: published.dataset.name,
            version: published.dataset.version,
            added: published.added,
            kinds: (await publishedCases(db, p.name, published.dataset.name, published.dataset.version)).kinds,
          }
        : found
          ? { name: found.dataset, version: found.version, added: found.added, kinds: found.kinds }
          : null;
      return putImproveStep(db, p.runId, p.name, 'publish', result);
    },

    /**
     * The rollout of the chosen version: the gate and the approval happened in the improve run, so the rollout
     * asks for no approval; its staging gate runs on the dataset the version was tuned on. Stored once per run
     * (the rollout id is drawn here).
     */
    async buildImproveRollout(p: {
      runId: string;
      name: string;
      version: number;
      /** The tune's dataset; undefined: the golden dataset imported for the item. */
      dataset?: { name: string; version: number };
      rollout: ImproveInput['rollout'];
      threshold: number;
      startedBy: string;
    }): Promise<{ workflowId: string; input: RolloutInput }> {
      const stored = await getImproveStep<{ workflowId: string; input: RolloutInput }>(db, p.runId, 'rollout');
      if (stored) return stored;
      try {
        const input = await buildRolloutInput(db, {
          name: p.name,
          version: p.version,
          steps: p.rollout.steps,
          bakeMs: p.rollout.bakeMs,
          evaluationIntervalMs: p.rollout.evaluationIntervalMs,
          minSamples: p.rollout.minSamples,
          approval: false,
          dataset: p.dataset,
          threshold: p.threshold,
          startedBy: p.startedBy,
          admins: opts.admins,
        });
        return putImproveStep(db, p.runId, p.name, 'rollout', { workflowId: rolloutWorkflowId(p.name), input });
      } catch (err) {
        if (err instanceof RolloutRequestError || err instanceof LibraryError) throw permanent('RolloutRefused', err);
        throw err;
      }
    },

    /** Marks the feedback behind the shipped dataset's accepted cases as resolved by the promoted version. */
    async resolveFeedback(p: {
      runId: string;
      name: string;
      version: number;
      dataset: { name: string; version: number };
    }): Promise<{ resolved: number }> {
      return resolveShippedFeedback(db, {
        name: p.name,
        version: p.version,
        dataset: p.dataset.name,
        datasetVersion: p.dataset.version,
        runId: p.runId,
      });
    },

    /**
     * Sends `feedback.resolved` for the run's resolutions not yet delivered, in batches, and marks each batch
     * delivered: at least once (a receiver dedupes on feedbackId). Without REFINERY_WEBHOOK_URL nothing is sent.
     */
    async notifyResolvedFeedback(p: { runId: string }): Promise<{ sent: number }> {
      if (!opts.webhook) return { sent: 0 };
      let sent = 0;
      for (;;) {
        const batch = await unnotifiedResolutions(db, p.runId, 200);
        if (batch.length === 0) return { sent };
        const first = batch[0]!;
        await postWebhook(opts.webhook, {
          event: 'feedback.resolved',
          text: `Refinery: ${batch.length} feedback item(s) on ${first.name} resolved by version ${first.version}.`,
          resolutions: batch.map((r) => ({
            feedbackId: r.feedbackId,
            name: r.name,
            version: r.version,
            userId: r.userId,
            resolvedAt: r.resolvedAt,
          })),
        });
        await markNotified(
          db,
          batch.map((r) => r.feedbackId),
        );
        sent += batch.length;
      }
    },

    /** The failure counts of the old version before the run and of the new one after promotion. */
    async failureWindows(p: {
      name: string;
      before: { version: number; from: string; to: string };
      after: { version: number; from: string; to: string };
    }): Promise<{ before: KindRates; after: KindRates }> {
      return {
        before: await failureCounts(db, p.name, p.before.version, p.before.from, p.before.to),
        after: await failureCounts(db, p.name, p.after.version, p.after.from, p.after.to),
      };
    },

    /** Stores the check's outcome; a check that failed opens an alert (one per run, however often retried). */
    async recordImproveCheck(p: { runId: string; name: string; outcome: CheckOutcome }): Promise<CheckOutcome> {
      const stored = await getImproveStep<CheckOutcome>(db, p.runId, 'check');
      if (stored) return stored;
      let alertId: string | undefined;
      if (p.outcome.verdict === 'not-improved') {
        const dedupeKey = `improve:${p.runId}`;
        const applied = await applyAlertActions(
          db,
          [
            {
              kind: 'open',
              finding: {
                name: p.name,
                version: p.outcome.after.version,
                signal: POST_ROLLOUT_SIGNAL,
                severity: 'warning',
                baseline: 0,
                current: 0,
                z: 0,
                samples: p.outcome.after.runs,
                dedupeKey,
                detail:
                  `the failures improve run ${p.runId} targeted did not fall for v${p.outcome.after.version}: ${p.outcome.detail}`.slice(
                    0,
                    1000,
                  ),
              },
            },
          ],
          new Date(),
        );
        alertId = applied.opened[0]?.alertId ?? (await alertIdByKey(db, dedupeKey));
      }
      return putImproveStep(db, p.runId, p.name, 'check', { ...p.outcome, ...(alertId ? { alertId } : {}) });
    },
  };
}
