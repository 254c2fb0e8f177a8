import { ApplicationFailure } from '@temporalio/common';
import { getLabels, lastLabelMove, LabelMovedError, moveLabel } from '../../library/label-store';
import { LibraryError } from '../../library/errors';
import { requireItem, requireVersion } from '../../library/versions';
import { DEFAULT_GUARD_POLICY, evaluateGuard, type GuardVerdict } from '../../rollout/guard';
import { abVerdict, samplesFor, type AbVerdict } from '../../rollout/ab';
import type { SignalName } from '../../rollout/guard';
import { foldArmCounts } from '../../rollout/arm-aggregate-store';
import {
  ExperimentRunningError,
  experimentRunningMessage,
  getRollout,
  recordRolloutEvent as storeRolloutEvent,
  runningExperiment,
  SPLITTING,
  startSplit,
  upsertRollout,
  type RolloutRow,
} from '../../rollout/rollout-store';
import type { Db } from '../../store/db';
import { postWebhook, type Webhook } from '../../webhook';

/** One guard look as the workflow sees it: the verdict, and how much evidence each arm has. */
export type GuardCheck = Pick<GuardVerdict, 'breach' | 'evidence'> & {
  /** Runs per arm since the rollout started. */
  samples: { control: number; canary: number };
  /** Per arm, the fewest samples on any of the guard's signals: what the minimum is compared with. */
  fewest: { control: number; canary: number };
  /** Both arms have the minimum samples on every signal. */
  enoughSamples: boolean;
  /** Signals short of the minimum on either arm. */
  lacking: string[];
  /** The minimum samples per arm and signal the guard asks for. */
  minSamples: number;
  stoppedOutside?: string;
  productionMoved?: { version: number | null; by: string; at: string; reason: string };
};

/** One experiment per prompt: a rollout is refused while another rollout or an A/B test splits the name. */
async function refuseIfExperimentRunning(db: Db, name: string): Promise<void> {
  const running = await runningExperiment(db, name);
  if (running) throw new LibraryError(experimentRunningMessage(running), 409);
}

const actorFor = (rolloutId: string) => ({ subject: `rollout:${rolloutId}`, admin: true, ownerRole: true });

/** The rollout's activities: label moves, the split, guard checks, events and notifications. */
export function rolloutActivities(db: Db, webhook?: Webhook) {
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

    /** Puts the candidate on staging; already there (a retry, or a person did it) is fine. */
    async moveRolloutLabel(p: { rolloutId: string; name: string; label: 'staging'; version: number }): Promise<void> {
      if ((await getLabels(db, p.name))[p.label] === p.version) return;
      await moveLabel(db, {
        name: p.name,
        label: p.label,
        version: p.version,
        actor: actorFor(p.rolloutId),
        reason: `rollout ${p.rolloutId}`,
      }).catch(async (err: unknown) => {
        // Lost a race with a move to the same version: the label is where the rollout wants it.
        if ((await getLabels(db, p.name))[p.label] !== p.version) throw err;
      });
    },

    /**
     * Promotion as compare-and-set: production moves to the candidate only if it still holds the version
     * recorded when the rollout started. Idempotent: a retry after its own earlier move (recognised by
     * the rollout id in the audit row) reports success and writes no second row.
     */
    async promoteRollout(p: {
      rolloutId: string;
      name: string;
      controlVersion: number;
      candidateVersion: number;
    }): Promise<{ promoted: true } | { promoted: false; current: number | null; movedBy: string; detail: string }> {
      const actor = actorFor(p.rolloutId);
      try {
        await moveLabel(db, {
          name: p.name,
          label: 'production',
          version: p.candidateVersion,
          actor,
          reason: `rollout ${p.rolloutId}`,
          expected: p.controlVersion,
        });
        return { promoted: true };
      } catch (err) {
        if (!(err instanceof LabelMovedError)) throw err;
        if (err.current === p.candidateVersion && err.lastMove?.actor === actor.subject) return { promoted: true };
        return {
          promoted: false,
          current: err.current,
          movedBy: err.lastMove?.actor ?? 'unknown',
          detail: err.message,
        };
      }
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
      abId: string;
      name: string;
      variants: [number, number];
      metric: SignalName;
      since: string;
      minSamples: number;
    }): Promise<{
      samples: { a: number; b: number };
      verdict?: AbVerdict;
    }> {
      const a = await foldArmCounts(db, { experimentId: p.abId, name: p.name, version: p.variants[0], since: p.since });
      const b = await foldArmCounts(db, { experimentId: p.abId, name: p.name, version: p.variants[1], since: p.since });
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
    }): Promise<GuardCheck> {
      // An emergency rollback through the API or CLI changes the store first: the workflow learns it here.
      const row = await getRollout(db, p.rolloutId);
      const none = { control: 0, canary: 0 };
      const minSamples = p.policy?.minSamples ?? DEFAULT_GUARD_POLICY.minSamples;
      const idle = {
        breach: false,
        evidence: '',
        samples: none,
        fewest: none,
        enoughSamples: false,
        lacking: [],
        minSamples,
      };
      if (row && !SPLITTING.includes(row.status)) return { ...idle, stoppedOutside: row.status };
      // Production moved by someone else (a manual rollback, say): the comparison, and the promotion at
      // the end, are against a version that is no longer production. Say who moved it.
      const production = (await getLabels(db, p.name)).production ?? null;
      if (production !== p.controlVersion) {
        const last = await lastLabelMove(db, p.name, 'production');
        return {
          ...idle,
          productionMoved: {
            version: production,
            by: last?.actor ?? 'unknown',
            at: last?.movedAt ?? '',
            reason: (last?.reason ?? '').slice(0, 300),
          },
        };
      }
      const arm = { experimentId: p.rolloutId, name: p.name, since: p.since };
      const control = await foldArmCounts(db, { ...arm, version: p.controlVersion });
      const canary = await foldArmCounts(db, { ...arm, version: p.candidateVersion });
      const v = evaluateGuard(control, canary, p.policy);
      const fewest = {
        control: Math.min(...v.signals.map((s) => s.samples.control)),
        canary: Math.min(...v.signals.map((s) => s.samples.canary)),
      };
      // Only the verdict, its one-paragraph evidence and sample counts go into history; the rows stay in the store.
      return {
        breach: v.breach,
        evidence: v.evidence.slice(0, 2000),
        samples: { control: control.runs, canary: canary.runs },
        fewest,
        enoughSamples: v.signals.every((s) => s.enoughSamples),
        lacking: v.signals.filter((s) => !s.enoughSamples).map((s) => s.signal),
        minSamples,
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
      const recorded = await storeRolloutEvent(db, p);
      if (recorded && p.notify && webhook) {
        // A Slack-compatible payload; delivery is best effort and never fails the rollout.
        await postWebhook(
          webhook,
          { text: `Refinery rollout ${p.rolloutId} of ${p.name}: ${p.kind} — ${p.detail}` },
          5000,
        ).catch(() => undefined);
      }
    },
  };
}
