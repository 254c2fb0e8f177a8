import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { handleDecisions } from './decision-handlers';
import { SEARCH_ATTRIBUTES, tuneStatusQuery } from '../shared';
import { assertivenessScore } from '../tune/assertiveness';
import type { EvaluateResult, ExecuteResult } from '../tune/activity-types';
import { uniformDimensions } from '../tune/scoring';
import { recurringInRun, stallForTermination, type StallFinding } from '../tune/stall';
import { applyDecision, bestIteration, decisionProblem, initialTuneState, judgedScores, toStatus } from '../tune/state';
import { shouldTerminate } from '../tune/termination';
import type {
  DecisionInput,
  IterationRecord,
  Phase,
  TuneInput,
  TuneState,
  TuneStatus,
  WriteBackPlan,
} from '../tune/types';
import { waitForPersonSummary, tuneSummaries } from '../web-ui/summaries';
import { tuneDetails } from '../web-ui/tune-details';

type Activities = ReturnType<typeof createActivities>;

// Store bookkeeping as local activities: quick idempotent writes, so no server round trip each (the
// tune-overhead benchmark measures the difference); a crashed worker re-runs them on replay.
const records = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

// Model calls. A bounded number of attempts so a judge that keeps failing is scored as a failed case
// (recordJudgeFailure) instead of retrying forever; the provider's retry-after overrides the backoff
// (nextRetryDelay). The heartbeat timeout lets a crashed worker's call be retried elsewhere quickly.
const models = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 4,
    nonRetryableErrorTypes: ['ProviderRejected', 'ProviderNotConfigured', 'ImprovementRejected'],
  },
});

// The outcome's diffs and the report, stored locally too: quick idempotent store writes.
const files = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return (cause instanceof Error ? cause.message : String(cause)).slice(0, 300);
}

/** The execute → evaluate → improve loop over one skill or a chain, with human decisions when it stalls. */
export async function tuneWorkflow(input: TuneInput, carried?: TuneState): Promise<TuneStatus> {
  const settings = input.settings;
  const state: TuneState = carried ?? initialTuneState(input);
  let pending: { decision: DecisionInput } | undefined;

  setHandler(tuneStatusQuery, () => toStatus(input, state));
  handleDecisions(
    (d) => decisionProblem(state, d),
    (decision) => (pending = { decision }),
  );

  const setPhase = (phase: Phase) => {
    state.phase = phase;
    const label = phase === 'awaiting-decision' || phase === 'completed' || phase === 'cancelled' ? phase : 'running';
    upsertSearchAttributes([{ key: statusKey, value: label }]);
    setCurrentDetails(tuneDetails(input, state, workflowInfo().workflowId));
  };

  /** Waits for a human decision; returns true when the loop goes on. */
  const awaitDecision = async (stall: StallFinding): Promise<boolean> => {
    state.stall = { reason: stall.reason, detail: stall.detail, since: new Date().toISOString() };
    setPhase('awaiting-decision');
    await records.setTuneStatus({ runId: input.runId, status: 'awaiting-decision' });
    const decided = await condition(() => pending !== undefined, settings.decisionTimeoutMs, {
      summary: waitForPersonSummary('a decision', 'decide', settings.decisionTimeoutMs),
    });
    const now = new Date().toISOString();
    const goesOn = decided
      ? applyDecision(state, pending!.decision, now)
      : applyDecision(state, { action: 'cancel', by: 'timeout', note: 'no decision in time' }, now, true);
    pending = undefined;
    await records.setTuneStatus({ runId: input.runId, status: 'running' });
    setPhase('starting');
    return goesOn;
  };

  if (!carried) {
    setPhase('starting');
    await records.prepareTuneRun({ tune: input, workflowId: workflowInfo().workflowId });
  }
  // Resolved once, so every iteration is executed and judged by the same models whatever worker runs it.
  if (!state.models) {
    state.models = await records.resolveTuneModels({
      executor: settings.executor,
      judge: settings.judge,
      improver: settings.improver,
    });
    if (state.models.sameFamilyWarning) state.warnings.push(state.models.sameFamilyWarning);
  }
  const runModels = state.models;

  for (;;) {
    while (!state.termination) {
      if (workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof tuneWorkflow>(input, { ...state, continuedAsNew: state.continuedAsNew + 1 });
      }
      await runIteration();
    }
    if (!(await needsRecurringDecision())) break;
  }
  return finish();

  async function runIteration(): Promise<void> {
    const iteration = ++state.iteration;
    setPhase('snapshot');
    const snapshot = await records.snapshotSkills({ runId: input.runId, iteration, current: state.current });
    const skills = input.skills.map((s) => ({ name: s.name, hash: snapshot[s.name]! }));
    const rec: IterationRecord = {
      iteration,
      snapshot,
      score: null,
      dimensions: uniformDimensions(0),
      perSkill: [],
      weaknessCategories: [],
      errors: [],
      tokens: 0,
      costUsd: 0,
    };

    setPhase('execute');
    let exec: ExecuteResult | undefined;
    try {
      exec = await models.executeIteration.executeWithOptions(
        { summary: tuneSummaries.execute(iteration, runModels.executor, skills.length) },
        [
          {
            runId: input.runId,
            iteration,
            skills,
            scenarioRef: input.scenarioRef,
            goldenRef: input.goldenRef,
            chain: settings.chain,
            executor: runModels.executor,
            ...(settings.execution ? { execution: settings.execution } : {}),
          },
        ],
      );
      rec.tokens += exec.tokens;
      rec.costUsd += exec.costUsd;
      if (exec.filesRead) rec.filesRead = exec.filesRead;
    } catch (err) {
      rec.errors.push(`execute failed: ${failureMessage(err)}`);
    }

    let evaluation: EvaluateResult | undefined;
    if (exec) {
      setPhase('evaluate');
      const evaluateInput = {
        runId: input.runId,
        iteration,
        skills,
        artifacts: exec.artifacts,
        scenarioRef: input.scenarioRef,
        goldenRef: input.goldenRef,
        goldenOutputsRef: exec.goldenOutputsRef,
        judge: runModels.judge,
        ...(exec.filesRead ? { filesRead: exec.filesRead } : {}),
      };
      try {
        evaluation = await models.evaluateIteration.executeWithOptions(
          { summary: tuneSummaries.evaluate(iteration, runModels.judge) },
          [evaluateInput],
        );
      } catch (err) {
        // A judge that failed for good (a final 4xx, output with no score after every attempt, retries spent)
        // costs this case its score, not the run: the failure is recorded and the loop goes on.
        evaluation = await records.recordJudgeFailure({ ...evaluateInput, reason: failureMessage(err) });
      }
      applyEvaluation(rec, evaluation);
    }
    state.consecutiveErrors = rec.errors.length > 0 ? state.consecutiveErrors + 1 : 0;
    state.iterations.push(rec);
    await records.recordTuneIteration({
      runId: input.runId,
      record: rec,
      weaknessBySkill: evaluation?.weaknessBySkill ?? {},
    });

    // Termination first; a stalled ending or a weakness recurring too often asks a human.
    const verdict = shouldTerminate({
      scores: judgedScores(state),
      iteration,
      maxIterations: state.maxIterations,
      threshold: settings.threshold,
      consecutiveErrors: state.consecutiveErrors,
      maxConsecutiveErrors: settings.maxConsecutiveErrors,
    });
    if (verdict.terminate) {
      const stall = stallForTermination(verdict.reason, bestIteration(state)?.score ?? 0, settings.threshold);
      if (!stall) {
        state.termination = verdict.reason;
        return;
      }
      if (!(await awaitDecision(stall))) return;
    } else {
      const recurring = recurringInRun(state.iterations, state.acknowledgedCategories);
      if (recurring && !(await awaitDecision(recurring))) return;
    }

    if (!evaluation || evaluation.judgeFailure) {
      rec.improvement = {
        status: 'skipped',
        reason: evaluation ? 'the judge failed: no evaluation to improve from' : 'no evaluation to improve from',
      };
      await records.recordTuneIteration({ runId: input.runId, record: rec, weaknessBySkill: {} });
      return;
    }
    // Chain mode improves the weakest skill; a single skill is its own weakest.
    const target = [...evaluation.perSkill].sort((a, b) => a.score - b.score)[0]?.skill ?? input.skills[0]!.name;
    setPhase('improve');
    try {
      const imp = await models.improveSkill.executeWithOptions(
        { summary: tuneSummaries.improve(iteration, target, runModels.improver) },
        [
          {
            runId: input.runId,
            iteration,
            skill: { name: target, hash: snapshot[target]! },
            evaluationRef: evaluation.evaluationRef,
            improver: runModels.improver,
          },
        ],
      );
      state.current[target] = imp.newHash;
      rec.improvement = { status: 'applied', skill: target, newHash: imp.newHash };
      rec.tokens += imp.tokens;
      rec.costUsd += imp.costUsd;
    } catch (err) {
      // Roll back to the iteration's snapshot: the failed improvement leaves no trace in the skill.
      state.current[target] = snapshot[target]!;
      rec.improvement = { status: 'rolled-back', skill: target, reason: failureMessage(err) };
      rec.errors.push(`improve failed: ${failureMessage(err)}`);
      if (state.consecutiveErrors === 0 || rec.errors.length === 1) state.consecutiveErrors++;
    }
    await records.recordTuneIteration({ runId: input.runId, record: rec, weaknessBySkill: {} });
  }

  /** Copies an evaluation into the iteration's record and the run's warnings. */
  function applyEvaluation(rec: IterationRecord, evaluation: EvaluateResult): void {
    const iteration = rec.iteration;
    rec.score = evaluation.score;
    rec.dimensions = evaluation.dimensions;
    rec.perSkill = evaluation.perSkill;
    rec.assertions = evaluation.assertions;
    rec.weaknessCategories = [...new Set(Object.values(evaluation.weaknessBySkill).flat())];
    rec.tokens += evaluation.tokens;
    rec.costUsd += evaluation.costUsd;
    for (const [skill, cats] of Object.entries(evaluation.weaknessBySkill)) {
      state.runWeaknesses[skill] = [...new Set([...(state.runWeaknesses[skill] ?? []), ...cats])];
    }
    if (evaluation.parseWarning) state.warnings.push(`iteration ${iteration}: ${evaluation.parseWarning}`);
    if (evaluation.assertionErrors) {
      rec.assertionErrors = evaluation.assertionErrors;
      state.warnings.push(
        `iteration ${iteration}: ${evaluation.assertions?.errored ?? evaluation.assertionErrors.length} golden assertion(s) could not be checked and count as failed (${evaluation.assertionErrors[0]})`,
      );
    }
    if (evaluation.judgeFailure) {
      rec.judgeFailure = evaluation.judgeFailure;
      rec.errors.push(`judge failed: ${evaluation.judgeFailure.reason}`);
      state.warnings.push(
        `iteration ${iteration}: the judge failed after its retries (${evaluation.judgeFailure.reason}); the ${evaluation.judgeFailure.case} scored 0 (failed)`,
      );
    }
  }

  /** Reference 003: a weakness seen in a 3rd run is UNRESOLVED and needs a decision before write-back. */
  async function needsRecurringDecision(): Promise<boolean> {
    if (state.recurringChecked) return false;
    state.recurringChecked = true;
    state.recurring = await records.findRecurringIssues({ runId: input.runId, weaknessBySkill: state.runWeaknesses });
    const unresolved = state.recurring.filter((r) => r.classification === 'UNRESOLVED');
    const wouldWrite =
      !settings.dryRun &&
      (state.termination === 'threshold-met' ||
        state.termination === 'max-iterations' ||
        state.termination === 'converged');
    if (!unresolved.length || !wouldWrite) return false;
    const detail = `UNRESOLVED across runs: ${unresolved.map((u) => `"${u.category}" (${u.occurrence}×)`).join(', ')}`;
    state.termination = undefined;
    const goesOn = await awaitDecision({ reason: 'unresolved-recurring', detail });
    if (goesOn) state.recurringChecked = false;
    return goesOn;
  }

  async function finish(): Promise<TuneStatus> {
    const termination = state.termination!;
    const best = bestIteration(state);
    const keepOriginal =
      termination === 'rolled-back' || termination === 'cancelled' || termination === 'decision-timeout';
    const chosen = Object.fromEntries(
      input.skills.map((s) => [s.name, keepOriginal || !best ? s.originalHash : best.snapshot[s.name]!]),
    );
    const candidate =
      termination === 'decision-timeout' && best
        ? Object.fromEntries(input.skills.map((s) => [s.name, best.snapshot[s.name]!]))
        : undefined;

    // The worker writes no file: it stores the diffs and says which folders should receive the chosen
    // version; the client that waits writes them (and refuses a folder edited meanwhile).
    setPhase('writing-back');
    const noWrite = settings.dryRun || keepOriginal;
    const writeBack: WriteBackPlan[] = [];
    const diffRefs: string[] = [];
    const chosenVersions: Record<string, number | undefined> = {};
    for (const s of input.skills) {
      const target = candidate?.[s.name] ?? chosen[s.name]!;
      const d = await files.diffTuneOutcome({
        runId: input.runId,
        skill: s.name,
        fromHash: s.originalHash,
        toHash: target,
      });
      if (d.diffRef) diffRefs.push(d.diffRef);
      chosenVersions[s.name] = d.versionNo;
      if (!noWrite && d.diffRef)
        writeBack.push({ skill: s.name, dir: s.dir, fromHash: s.originalHash, toHash: target, versionNo: d.versionNo });
    }

    const unmet =
      (best && best.score >= settings.threshold ? 0 : 1) +
      (best?.assertions ? best.assertions.total - best.assertions.passed : 0);
    const assertiveness = {
      extraIterations: Math.max(0, state.iteration - 1),
      failedEvaluations: state.iterations.filter((i) => i.judgeFailure).length,
      unmetCriteria: unmet,
      humanRejected: termination === 'rolled-back' || termination === 'cancelled',
    };
    const score = assertivenessScore({ ...assertiveness, iterations: state.iteration });

    setPhase('reporting');
    const report = await files.storeTuneReport({
      runId: input.runId,
      skills: input.skills.map((s) => s.name),
      threshold: settings.threshold,
      termination,
      bestIteration: best?.iteration ?? 0,
      chosenVersions,
      writeBack: writeBack.length > 0,
      candidate: candidate !== undefined,
      dryRun: settings.dryRun,
      decisions: state.decisions,
      warnings: state.warnings,
      recurring: state.recurring ?? [],
      assertiveness: { score, ...assertiveness },
      outputDir: settings.outputDir,
      diffRefs,
      models: state.models,
    });
    state.outcome = {
      bestIteration: best?.iteration ?? 0,
      bestScore: best?.score ?? 0,
      chosen,
      writeBack,
      candidate,
      reportRef: report.reportRef,
      reportPaths: report.reportPaths,
      diffRefs,
      assertiveness: score,
    };
    await records.finishTune({
      runId: input.runId,
      status: termination === 'cancelled' ? 'cancelled' : 'completed',
      termination,
      bestScore: best?.score,
      assertiveness: score,
      reportRef: report.reportRef,
    });
    setPhase(termination === 'cancelled' ? 'cancelled' : 'completed');
    return toStatus(input, state);
  }
}
