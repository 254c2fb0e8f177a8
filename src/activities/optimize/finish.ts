import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { LibraryContent } from '../../library/content';
import { LibraryError } from '../../library/errors';
import { getLabels, labelHistory, moveLabel } from '../../library/label-store';
import { versionLink } from '../../library/links';
import { recordVersion } from '../../library/versions';
import type { FinishOptimizeInput } from '../../optimizer/activity-types';
import { scoreInterval } from '../../optimizer/intervals';
import { contentDiff, renderOptimizeReport } from '../../optimizer/report';
import { acceptedChain, failingCategories } from '../../optimizer/recurring';
import type { OptimizeOutcome } from '../../optimizer/types';
import { getJson, putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import {
  optimizeEvidenceOfRun,
  optimizeRunStartedAt,
  recordOptimizeEvidence,
  type OptimizeEvidence,
} from '../../store/optimize-runs';
import { finishTuneRun, recordWeaknesses } from '../../store/tune-runs';
import { assertivenessScore } from '../../tune/assertiveness';
import { recurringOf } from './recurring';

/** The label a chosen candidate gets: never production, which only the guarded rollout (or a person) moves. */
export const CANDIDATE_LABEL = 'candidate';

/** The audit reason of the candidate label's move: it names the run, which is how a retry finds its own move. */
export const candidateMoveReason = (runId: string) => `chosen by optimize run ${runId}`;

const pct = (x: number) => (Math.round(x * 1000) / 10).toFixed(1);

/**
 * Moves `candidate` to version, audited, as a compare-and-set on what the label held when read. Idempotent by run:
 * a retry that finds this run's move, or the label already on the version, moves nothing. A move by someone else
 * between the read and the write fails the compare and the activity's retry reads again.
 */
async function labelCandidate(
  db: Db,
  f: { name: string; version: number; runId: string; actor: string },
): Promise<void> {
  const reason = candidateMoveReason(f.runId);
  const moves = await labelHistory(db, f.name, CANDIDATE_LABEL);
  if (moves.some((m) => m.reason === reason && m.toVersion === f.version)) return;
  const current = (await getLabels(db, f.name))[CANDIDATE_LABEL];
  if (current === f.version) return;
  await moveLabel(db, {
    name: f.name,
    label: CANDIDATE_LABEL,
    version: f.version,
    actor: { subject: f.actor, admin: false, ownerRole: false },
    reason,
    expected: current ?? null,
  });
}

/**
 * finishOptimizeRun: when the run chose a candidate other than the original (and it is no dry run), the chosen
 * content becomes a library version (parent: the original version), labelled `candidate` through the audited label
 * store, with its evidence stored and readable by name@version. Stores the report and the diff and returns the
 * outcome. It writes no file: it names where the client that waits puts the report. Idempotent: a retry finds the
 * version (content-addressed), the evidence (keyed by run) and the label move (its reason names the run).
 */
export function finishOptimizeRunActivity(db: Db, publicUrl: string) {
  return async function finishOptimizeRun(f: FinishOptimizeInput): Promise<OptimizeOutcome> {
    const { target, dataset, settings } = f.input;
    const accepted = f.state.accepted;
    const find = (hash: string) => accepted.find((a) => a.ref.hash === hash);
    const validation = {
      chosen: find(f.chosen.hash)?.interval ?? scoreInterval([]),
      original: find(f.original.hash)?.interval ?? accepted[0]?.interval ?? scoreInterval([]),
    };
    const contents: Record<string, LibraryContent> = {};
    for (const ref of [f.original, f.chosen, ...accepted.map((a) => a.ref)])
      contents[ref.hash] ??= await getJson<LibraryContent>(db, ref.ref);
    const changed = f.chosen.hash !== f.original.hash;

    let version: number | undefined;
    if (changed && !settings.dryRun) {
      const stored = await optimizeEvidenceOfRun(db, f.runId);
      if (stored) version = stored.version;
      else {
        const changes = acceptedChain(accepted, f.chosen.hash)
          .map((a) => a.summary)
          .filter(Boolean);
        const rationale =
          `${candidateMoveReason(f.runId)} on ${dataset.name}@${dataset.version}: validation ` +
          `${pct(validation.original.mean)} → ${pct(validation.chosen.mean)}` +
          (changes.length ? ` (${changes.join('; ')})` : '');
        try {
          version = (
            await recordVersion(db, target.name, contents[f.chosen.hash]!, {
              rationale: rationale.length > 1000 ? `${rationale.slice(0, 999)}…` : rationale,
              author: f.input.startedBy,
              parentVersion: target.version,
            })
          ).version;
        } catch (err) {
          // A refused content (the path policy, a bad name) will be refused again: do not retry it.
          if (err instanceof LibraryError && err.status < 500)
            throw ApplicationFailure.create({
              type: 'VersionRefused',
              message: `the chosen candidate of ${target.name} cannot become a version: ${err.message}`,
              nonRetryable: true,
              cause: err,
            });
          throw err;
        }
      }
    }

    const diff = changed
      ? contentDiff(contents[f.original.hash]!, contents[f.chosen.hash]!, {
          from: `${target.name}@${target.version}`,
          to: version === undefined ? f.chosen.hash.slice(0, 12) : `${target.name}@${version}`,
        })
      : '';
    const diffRef = diff ? await putBlob(db, diff) : undefined;
    // Reference 003 across runs: the validation cases the chosen still fails, against earlier runs of this item.
    const failing = failingCategories(f.split, accepted, f.chosen);
    await recordWeaknesses(db, f.runId, target.name, failing);
    const recurring = await recurringOf(db, f.runId, target.name, failing);
    const assertiveness = assertivenessScore({
      iterations: Math.max(1, f.state.round),
      failedEvaluations: f.state.evaluationFailures,
      unmetCriteria: (validation.chosen.mean * 100 >= settings.threshold ? 0 : 1) + failing.length,
      humanRejected: f.state.stop === 'rolled-back' || f.state.stop === 'cancelled',
    });
    const cycleDate = ((await optimizeRunStartedAt(db, f.runId)) ?? new Date().toISOString()).slice(0, 10);
    const markdown = renderOptimizeReport({
      runId: f.runId,
      cycleDate,
      target,
      dataset,
      splitSettings: f.input.split,
      split: f.split,
      settings,
      models: f.models,
      projection: f.projection,
      budget: f.budget,
      state: f.state,
      lineage: f.lineage,
      chosen: f.chosen,
      original: f.original,
      contents,
      version,
      versionLink: version === undefined ? undefined : versionLink(publicUrl, target.name, version),
      test: f.test,
      baselineDelta: f.baselineDelta,
      decisions: f.decisions ?? [],
      warnings: f.warnings,
      assertiveness,
      recurring,
    });
    const reportRef = await putBlob(db, markdown);

    if (version !== undefined) {
      const evidence: OptimizeEvidence = {
        runId: f.runId,
        name: target.name,
        version,
        hash: f.chosen.hash,
        parentVersion: target.version,
        dataset,
        heldOut: f.split.heldOut,
        validation,
        ...(f.test ? { test: f.test } : {}),
        spent: f.state.spent,
        budget: f.budget,
        projected: { calls: f.projection.calls, usd: f.projection.usd },
        reportRef,
        ...(diffRef ? { diffRef } : {}),
        recordedAt: new Date().toISOString(),
      };
      await recordOptimizeEvidence(db, evidence);
      await labelCandidate(db, { name: target.name, version, runId: f.runId, actor: f.input.startedBy });
    }

    await finishTuneRun(db, f.runId, {
      status: f.state.stop === 'cancelled' ? 'cancelled' : 'completed',
      termination: f.state.stop,
      bestScore: validation.chosen.mean * 100,
      assertiveness,
      reportRef,
    });
    // Path arithmetic only, on the starter's folder name: nothing here touches this machine's disk.
    const reportPaths =
      settings.outputDir === undefined
        ? []
        : [path.join(settings.outputDir, 'docs', 'feedbacks', `cycle-${cycleDate}`, `${target.name}.md`)];
    return {
      chosen: f.chosen,
      original: f.original,
      ...(version !== undefined ? { version } : {}),
      validation,
      ...(f.test ? { test: f.test } : {}),
      ...(f.baselineDelta ? { baselineDelta: f.baselineDelta } : {}),
      reportRef,
      reportPaths,
      assertiveness,
      recurring,
      ...(diffRef ? { diffRef } : {}),
    };
  };
}
