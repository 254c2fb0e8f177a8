import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { handleDecisions } from './decision-handlers';
import { DEFAULT_EVAL_SETTINGS } from '../eval/defaults';
import type { EvalModels } from '../optimizer/activity-types';
import { bestOnValidation, optimizerRound, startOptimizer, stopReason } from '../optimizer/engine';
import { scoreInterval as intervalOf } from '../optimizer/intervals';
import {
  applyOptimizeDecision,
  finishReserve,
  initialOptimizeState,
  keepsOriginal,
  optimizeDecisionProblem,
  roundSettings,
  stallFor,
  toOptimizeStatus,
  type OptimizeRunState,
} from '../optimizer/run-state';
import { details } from '../optimizer/optimize-details';
import {
  acceptedChain,
  failingCategories,
  recordsUnattended,
  recurringEscalation,
  unresolvedOf,
} from '../optimizer/recurring';
import type {
  CandidateRef,
  EvaluateResponse,
  OptimizeInput,
  OptimizeOutcome,
  OptimizerOps,
  OptimizeStatus,
} from '../optimizer/types';
import { childStallSignal, optimizeStatusQuery, SEARCH_ATTRIBUTES } from '../shared';
import type { DecisionInput } from '../tune/types';
import { childStallNotice } from '../web-ui/child-waiting';
import { rolloutMetadata } from '../web-ui/static-metadata';
import { evaluateSummary, optimizeSummaries, proposeSummary, waitForPersonSummary } from '../web-ui/summaries';

type Activities = ReturnType<typeof createActivities>;

// Store bookkeeping as local activities: quick idempotent writes and reads.
const records = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

// Evaluations and proposals. An evaluation can take minutes (many cases); its heartbeat moves it to another worker
// soon after its worker dies, and the retry pays for nothing already stored. Bounded attempts: a proposal that keeps
// failing counts against the error budget (the engine records it) instead of blocking the run.
const models = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '15 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['ProviderRejected', 'ProviderNotConfigured'],
  },
});

// Preparing (reads the dataset) and finishing (version, label, evidence, report): idempotent store work. A missing
// target or dataset is marked non-retryable by the activity itself.
const files = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 5 },
});

/** Rounds per workflow run before it continues as new: a few hundred events at most. */
const ROUNDS_PER_RUN = 50;

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);

/**
 * Improves any library item on a dataset: proposals from real failures, screened on a training minibatch, accepted
 * only on held-out evidence by a paired test, parents from a Pareto frontier, within a budget of calls and dollars.
 * The chosen candidate becomes a version labelled `candidate` (and, asked for, goes to a guarded rollout).
 */
export async function optimizeWorkflow(input: OptimizeInput, carried?: OptimizeRunState): Promise<OptimizeStatus> {
  const settings = input.settings;
  const run: OptimizeRunState = carried ?? initialOptimizeState();
  let pending: { decision: DecisionInput } | undefined;

  setHandler(optimizeStatusQuery, () => toOptimizeStatus(input, run));
  handleDecisions(
    (d) => optimizeDecisionProblem(run, d),
    (decision) => (pending = { decision }),
  );

  const setPhase = (phase: string) => {
    run.phase = phase;
    const label = phase === 'awaiting-decision' || phase === 'completed' || phase === 'cancelled' ? phase : 'running';
    upsertSearchAttributes([{ key: statusKey, value: label }]);
    setCurrentDetails(details(input, run, workflowInfo().workflowId));
  };

  if (!run.models) {
    setPhase('starting');
    run.models = await records.resolveTuneModels({
      executor: settings.executor,
      judge: settings.judge,
      improver: settings.improver,
    });
    if (run.models.sameFamilyWarning) run.warnings.push(run.models.sameFamilyWarning);
  }
  const evalModels: EvalModels = {
    executor: run.models.executor,
    judge: run.models.judge,
    maxOutputTokens: DEFAULT_EVAL_SETTINGS.maxOutputTokens,
    ...(settings.execution ? { execution: settings.execution } : {}),
  };
  const ops = optimizerOps(input, { ...evalModels, improver: run.models.improver });

  if (!run.split || !run.original || !run.projection) {
    setPhase('preparing');
    const prepared = await files.prepareOptimizeRun.executeWithOptions(
      { summary: optimizeSummaries.prepare(input.dataset, settings.seed) },
      [
        {
          runId: input.runId,
          workflowId: workflowInfo().workflowId,
          input,
          models: { ...evalModels, improver: run.models.improver },
        },
      ],
    );
    run.original = prepared.original;
    run.split = prepared.split;
    run.projection = prepared.projection;
    if (prepared.projection.warning) run.warnings.push(prepared.projection.warning);
    if (prepared.projection.evidence?.warning) run.warnings.push(prepared.projection.evidence.warning);
    if (!prepared.split.heldOut)
      run.warnings.push(
        `no held-out evidence: the dataset has ${prepared.split.validation.length} cases, too few to split; candidates are accepted on repeated samples of the same cases`,
      );
  }
  const split = run.split;
  if (!run.engine) {
    setPhase('baseline');
    run.engine = await startOptimizer(ops, run.original, split, settings);
  }

  // The rounds spend the budget less what the end of the run needs (the test split, a skill's baseline delta).
  const rounds = roundSettings(
    settings,
    finishReserve(split, run.engine.validationCost, input.target.kind === 'skill'),
  );
  for (;;) {
    const stop = stopReason(run.engine, rounds);
    if (!stop) {
      // Rounds are bounded by maxRounds and the budget, but a decision can add rounds: continue as new every
      // ROUNDS_PER_RUN rounds (a round is about 10–25 events) or when Temporal suggests it, after the handlers
      // finished, carrying the whole state.
      const roundsThisRun = run.engine.round - (run.firstRoundOfRun ?? 0);
      if (workflowInfo().continueAsNewSuggested || roundsThisRun >= (settings.roundsPerRun ?? ROUNDS_PER_RUN)) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof optimizeWorkflow>(input, {
          ...run,
          continuedAsNew: run.continuedAsNew + 1,
          firstRoundOfRun: run.engine.round,
        });
      }
      setPhase(`round ${run.engine.round + 1}`);
      run.engine = await optimizerRound(ops, run.engine, split, rounds);
      continue;
    }
    const stall = stallFor(stop, run.engine, settings.threshold);
    if (stall)
      run.stall = {
        reason: stop === 'error-budget' ? 'error-budget' : 'converged-below-threshold',
        detail: stall,
        since: new Date().toISOString(),
      };
    else {
      run.engine.stop = stop;
      // Reference 003: a pick that still fails what two earlier runs failed waits for a person before it is recorded.
      const escalation = await unresolvedRecurring();
      if (!escalation) break;
      run.stall = { reason: 'unresolved-recurring', detail: escalation, since: new Date().toISOString() };
    }
    setPhase('awaiting-decision');
    await tellParent(run.stall);
    const decided = await condition(() => pending !== undefined, settings.decisionTimeoutMs, {
      summary: waitForPersonSummary('a decision', 'decide', settings.decisionTimeoutMs),
    });
    const goesOn = applyOptimizeDecision(run, decided ? pending!.decision : undefined, new Date().toISOString());
    pending = undefined;
    await tellParent(undefined);
    if (!goesOn) break;
  }
  return finish();

  /**
   * A child run (of an improve run, of a chain) tells its parent when it starts or stops waiting, so the parent's
   * details and RefineryStatus say a decision is needed. The parent may be gone (terminated, or ended by a person):
   * that must not fail this run, which waits for its decision all the same.
   */
  async function tellParent(stall: { reason: string; since: string } | undefined): Promise<void> {
    const { parent, workflowId } = workflowInfo();
    // A run that stalled before this signal existed has no signal in its history at that point: it keeps not sending.
    if (!parent || !patched('child-stall-notice')) return;
    try {
      await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(
        childStallSignal,
        childStallNotice(workflowId, input.target.name, stall),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('the parent run was not told of the stall', { parent: parent.workflowId, waiting: Boolean(stall) });
    }
  }

  /** The escalation of an unresolved recurring issue when the pick needs a person first, else undefined. */
  async function unresolvedRecurring(): Promise<string | undefined> {
    const engine = run.engine!;
    const chosen = bestOnValidation(engine).ref;
    const original = run.original!;
    // Nothing would be recorded unattended: no need to read the earlier runs.
    if (!recordsUnattended({ stop: engine.stop!, dryRun: Boolean(settings.dryRun), chosen, original }))
      return undefined;
    const findings = await records.findOptimizeRecurring({
      runId: input.runId,
      item: input.target.name,
      categories: failingCategories(split, engine.accepted, chosen),
    });
    if (!unresolvedOf(findings).length) return undefined;
    const tried = acceptedChain(engine.accepted, chosen.hash).map((a) => a.summary);
    return recurringEscalation({ item: input.target.name, findings, tried });
  }

  async function finish(): Promise<OptimizeStatus> {
    const engine = run.engine!;
    const original = run.original!;
    const chosen = keepsOriginal(run) ? original : bestOnValidation(engine).ref;
    const same = chosen.hash === original.hash;
    const samples = settings.repeat;

    // The test split is scored once, here, for the chosen and the original: it never chose anything.
    let test: OptimizeOutcome['test'];
    if (split.test.length > 0) {
      setPhase('test');
      // The original chosen: one evaluation for both (two at once would each pay for the same samples).
      const chosenTest = evaluate(ops, chosen, split.test, samples, 'test');
      const originalTest = same ? chosenTest : evaluate(ops, original, split.test, samples, 'test');
      const [c, o] = await Promise.all([chosenTest, originalTest]);
      test = { chosen: c.interval, original: o.interval };
      engine.spent = add(engine.spent, add(c.spent, same ? zero : o.spent));
    }

    // Skills: the cases without the skill, with the original and with the chosen (skill-creator's delta).
    let baselineDelta: OptimizeOutcome['baselineDelta'];
    if (input.target.kind === 'skill') {
      setPhase('baseline delta');
      const cases = split.test.length > 0 ? split.test : split.validation;
      const noSkill = await records.noSkillCandidate({ skill: original });
      const chosenRun = evaluate(ops, chosen, cases, samples, 'test');
      const [withSkill, withoutSkill, orig] = await Promise.all([
        chosenRun,
        evaluate(ops, noSkill, cases, samples, 'no-skill'),
        same ? chosenRun : evaluate(ops, original, cases, samples, 'test'),
      ]);
      baselineDelta = {
        withSkill: withSkill.summary,
        withoutSkill: withoutSkill.summary,
        original: orig.summary,
      };
      engine.spent = add(engine.spent, add(withSkill.spent, add(withoutSkill.spent, same ? zero : orig.spent)));
    }

    setPhase('reporting');
    const outcome = await files.finishOptimizeRun.executeWithOptions(
      { summary: optimizeSummaries.finish(settings.dryRun) },
      [
        {
          runId: input.runId,
          input,
          state: engine,
          split,
          chosen,
          original,
          test,
          baselineDelta,
          projection: run.projection!,
          budget: settings.budget,
          warnings: run.warnings,
          lineage: engine.lineage,
          models: run.models,
          decisions: run.decisions,
        },
      ],
    );
    run.outcome = outcome;

    if (settings.thenRollout && outcome.version !== undefined && !settings.dryRun) {
      setPhase('starting rollout');
      run.outcome = { ...outcome, rollout: await startRollout(outcome.version) };
    }
    setPhase(engine.stop === 'cancelled' ? 'cancelled' : 'completed');
    return toOptimizeStatus(input, run);
  }

  /** Hands the chosen version to the guarded rollout (gate → approval → canary); it outlives this run. */
  async function startRollout(version: number): Promise<{ workflowId: string } | undefined> {
    try {
      const rollout = await records.buildCandidateRollout({
        name: input.target.name,
        version,
        dataset: input.dataset,
        startedBy: input.startedBy,
      });
      await startChild('rolloutWorkflow', {
        workflowId: rollout.workflowId,
        args: [rollout.input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        ...rolloutMetadata(rollout.input, { startedFrom: `chosen by optimize run ${input.runId}` }),
      });
      return { workflowId: rollout.workflowId };
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The tune's result stands; the person starts the rollout by hand (the status says why it did not start).
      run.warnings.push(`the rollout did not start: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }
}

const zero = { calls: 0, usd: 0 };
const add = (a: typeof zero, b: typeof zero) => ({ calls: a.calls + b.calls, usd: a.usd + b.usd });

/** The engine's world: every evaluation and proposal is an activity keyed by this run. */
function optimizerOps(input: OptimizeInput, m: EvalModels & { improver: EvalModels['executor'] }): OptimizerOps {
  const evalModels: EvalModels = {
    executor: m.executor,
    judge: m.judge,
    maxOutputTokens: m.maxOutputTokens,
    ...(m.execution ? { execution: m.execution } : {}),
  };
  return {
    evaluate: (req) =>
      models.evaluateCandidate.executeWithOptions({ summary: evaluateSummary(req) }, [
        { ...req, runId: input.runId, itemName: input.target.name, dataset: input.dataset, models: evalModels },
      ]),
    propose: (req) =>
      models.proposeCandidate.executeWithOptions({ summary: proposeSummary(req) }, [
        {
          ...req,
          runId: input.runId,
          dataset: input.dataset,
          models: m,
          changeBudget: input.settings.changeBudget,
          reflectionTokens: input.settings.reflectionTokens,
        },
      ]),
    isCancellation,
  };
}

/** One scoring of a candidate on cases, with its summary for the report. */
async function evaluate(
  ops: OptimizerOps,
  candidate: CandidateRef,
  caseIds: string[],
  samples: number,
  purpose: 'test' | 'no-skill',
): Promise<{
  interval: ReturnType<typeof intervalOf>;
  spent: EvaluateResponse['spent'];
  summary: { passRate: number; tokens: number };
}> {
  const r = await ops.evaluate({ candidate, caseIds, samples, purpose });
  const passed = caseIds.filter((id) => r.passed[id]).length;
  return {
    interval: intervalOf(caseIds.map((id) => r.scores[id] ?? 0)),
    spent: r.spent,
    summary: { passRate: caseIds.length ? passed / caseIds.length : 0, tokens: r.tokens },
  };
}
