import { ApplicationFailure } from '@temporalio/common';
import { getLabels, moveLabel } from '../../library/label-store';
import { LibraryError } from '../../library/errors';
import { requireItem, requireVersion } from '../../library/versions';
import { evaluateGuard, type GuardVerdict } from '../../rollout/guard';
import { abVerdict, samplesFor, type AbVerdict } from '../../rollout/ab';
import type { SignalName } from '../../rollout/guard';
import { armCounts } from '../../rollout/signals';
import {
  ExperimentRunningError,
  experimentRunningMessage,
  getRollout,
  runningExperiment,
  SPLITTING,
  startSplit,
  upsertRollout,
  type RolloutRow,
} from '../../rollout/store';
import type { Db } from '../../store/db';
import { postWebhook } from '../../webhook';

/** One experiment per prompt: a rollout is refused while another rollout or an A/B test splits the name. */
async function refuseIfExperimentRunning(db: Db, name: string): Promise<void> {
  const running = await runningExperiment(db, name);
  if (running) throw new LibraryError(experimentRunningMessage(running), 409);
}

const actorFor = (rolloutId: string) => ({ subject: `rollout:${rolloutId}`, admin: true, ownerRole: true });

/** The rollout's activities: label moves, the split, guard checks, events and notifications. */
export function rolloutActivities(db: Db, webhookUrl?: string) {
  return {
    /** The control (current production) and a check that the candidate exists. */
    async planRollout(p: {
      name: string;
      candidateVersion: number;
    }): Promise<{ controlVersion: number; owner: string; since: string }> {
      try {
        const item = await requireItem(db, p.name);
        await requireVersion(db, p.name, p.candidateVersion);
        const production = (await getLabels(db, p.name)).production;
        if (production === undefined)
          throw new LibraryError(`"${p.name}" has no production version to roll out against: label one first`, 409);
        if (production === p.candidateVersion)
          throw new LibraryError(`version ${p.candidateVersion} already is production`, 409);
        await refuseIfExperimentRunning(db, p.name);
        // The guard compares runs recorded from now on, stamped by the API's clock: take the time here, not
        // from workflow time (which a time-skipping test server, or a long replay, puts elsewhere).
        return { controlVersion: production, owner: item.owner, since: new Date().toISOString() };
      } catch (err) {
        if (err instanceof LibraryError)
          throw ApplicationFailure.create({ type: 'RolloutRefused', message: err.message, nonRetryable: true });
        throw err;
      }
    },

    async moveRolloutLabel(p: {
      rolloutId: string;
      name: string;
      label: 'staging' | 'production';
      version: number;
    }): Promise<void> {
      await moveLabel(db, {
        name: p.name,
        label: p.label,
        version: p.version,
        actor: actorFor(p.rolloutId),
        reason: `rollout ${p.rolloutId}`,
      });
    },

    /**
     * Checks both variants exist and writes the split row, refused (non-retryably) while another
     * experiment splits the name; the A/B test counts runs from the store's clock now.
     */
    async abStart(p: { row: Omit<RolloutRow, 'startedAt' | 'updatedAt'> }): Promise<{ since: string }> {
      const since = new Date().toISOString();
      try {
        for (const v of [p.row.controlVersion, p.row.candidateVersion]) await requireVersion(db, p.row.name, v);
        await startSplit(db, p.row);
      } catch (err) {
        if (err instanceof LibraryError)
          throw ApplicationFailure.create({ type: 'RolloutRefused', message: err.message, nonRetryable: true });
        if (err instanceof ExperimentRunningError)
          throw ApplicationFailure.create({ type: 'ExperimentRunning', message: err.message, nonRetryable: true });
        throw err;
      }
      return { since };
    },

    async abCheck(p: {
      name: string;
      variants: [number, number];
      metric: SignalName;
      since: string;
      minSamples: number;
    }): Promise<{
      samples: { a: number; b: number };
      verdict?: AbVerdict;
    }> {
      const a = await armCounts(db, p.name, p.variants[0], p.since);
      const b = await armCounts(db, p.name, p.variants[1], p.since);
      const samples = { a: samplesFor(a, p.metric), b: samplesFor(b, p.metric) };
      if (samples.a < p.minSamples || samples.b < p.minSamples) return { samples };
      return { samples, verdict: abVerdict(p.metric, a, b) };
    },

    async setRolloutShare(row: Omit<RolloutRow, 'startedAt' | 'updatedAt'>): Promise<void> {
      try {
        await upsertRollout(db, row);
      } catch (err) {
        // Another experiment got its split in first (it started during this one's staging or approval).
        if (err instanceof ExperimentRunningError)
          throw ApplicationFailure.create({ type: 'ExperimentRunning', message: err.message, nonRetryable: true });
        throw err;
      }
    },

    async checkGuard(p: {
      rolloutId: string;
      name: string;
      controlVersion: number;
      candidateVersion: number;
      since: string;
      policy?: { minSamples?: number; alpha?: number };
    }): Promise<
      Pick<GuardVerdict, 'breach' | 'evidence'> & {
        samples: { control: number; canary: number };
        stoppedOutside?: string;
      }
    > {
      // An emergency rollback through the API or CLI changes the store first: the workflow learns it here.
      const row = await getRollout(db, p.rolloutId);
      if (row && !SPLITTING.includes(row.status)) {
        return { breach: false, evidence: '', samples: { control: 0, canary: 0 }, stoppedOutside: row.status };
      }
      const control = await armCounts(db, p.name, p.controlVersion, p.since);
      const canary = await armCounts(db, p.name, p.candidateVersion, p.since);
      const v = evaluateGuard(control, canary, p.policy);
      // Only the verdict and its one-paragraph evidence go into history; the counts stay in the store.
      return {
        breach: v.breach,
        evidence: v.evidence.slice(0, 2000),
        samples: { control: control.runs, canary: canary.runs },
      };
    },

    /** Idempotent on (rollout, index): a local activity re-run on replay after a crash records nothing twice. */
    async recordRolloutEvent(p: {
      rolloutId: string;
      index: number;
      name: string;
      kind: string;
      detail: string;
      notify?: boolean;
    }): Promise<void> {
      const { changes } = await db.run(
        'INSERT INTO rollout_events (rollout_id, event_index, kind, detail, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [p.rolloutId, p.index, p.kind, p.detail, new Date().toISOString()],
      );
      if (changes === 1 && p.notify && webhookUrl) {
        // A Slack-compatible payload; delivery is best effort and never fails the rollout.
        await postWebhook(
          webhookUrl,
          { text: `Refinery rollout ${p.rolloutId} of ${p.name}: ${p.kind} — ${p.detail}` },
          5000,
        ).catch(() => undefined);
      }
    },
  };
}
