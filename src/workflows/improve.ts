import {
  ActivityFailure,
  ApplicationFailure,
  defineSearchAttributeKey,
  SearchAttributeType,
  TypedSearchAttributes,
} from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { ImproveStart } from '../activities/improve';
import type { FailureKind } from '../cases/failure-kinds';
import { DEFAULT_EVAL_SETTINGS } from '../eval/defaults';
import { viaSignal } from '../user-identity';
import {
  checkVerdict,
  gateVerdict,
  improveControlProblem,
  improveDetails,
  improveInputProblem,
  initialSteps,
  nextStep,
  nextUnskippedStep,
} from '../improve/plan';
import type {
  ImproveControlInput,
  ImproveInput,
  ImproveStatus,
  ImproveStep,
  KindRates,
  StepState,
} from '../improve/types';
import type { OptimizeInput, OptimizeStatus } from '../optimizer/types';
import type { RolloutStatus } from '../rollout/types';
import {
  childStallSignal,
  controlSignal,
  improveControlSignal,
  improveControlUpdate,
  improveStatusQuery,
  SEARCH_ATTRIBUTES,
} from '../shared';
import {
  afterNotice,
  currentOptimizeChild,
  parentStatusLabel,
  withChildWaiting,
  type ChildWaiting,
} from '../web-ui/child-waiting';
import { evalRunWorkflow } from './eval-run';

type Activities = ReturnType<typeof createActivities>;

// Store work keyed by run and step: the default retries heal a locked or restarting database.
const store = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { nonRetryableErrorTypes: ['ImproveRefused', 'RolloutRefused'] },
});
// The webhook is the application's service: a few spaced attempts, then the run goes on (the resolutions are
// stored and `GET /v1/feedback/{id}` shows them).
const webhook = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);
const skillKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.skill, SearchAttributeType.KEYWORD);

/** What a run hands the next one when it continues as new during a long wait. */
export interface ImproveCarry {
  status: ImproveStatus;
  start?: ImproveStart;
  /** Where the tune's dataset came from: the published review or the fallback. */
  dataset?: { name: string; version: number };
  kinds: FailureKind[];
  candidate?: number;
  /** Absolute end (ms since epoch) of the wait of the current step, so a new run waits only what is left. */
  waitUntil?: number;
}

/**
 * `refinery improve <name>`: harvest → review (waits for "reviewed" or its timeout) → tune on the new dataset
 * version (optimizeWorkflow as a child) → gate against production → approval → guarded rollout (rolloutWorkflow
 * as a child) → post-rollout check of the harvested failure kinds. Each step is visible in the status query and
 * the current details; a person may stop the run or skip a step at any time. Waits continue as new when Temporal
 * suggests it, so a run that waits weeks keeps a small history.
 */
export async function improveWorkflow(input: ImproveInput, carried?: ImproveCarry): Promise<ImproveStatus> {
  const problem = improveInputProblem(input);
  if (problem) throw ApplicationFailure.create({ type: 'InvalidImproveInput', message: problem, nonRetryable: true });
  const workflowId = workflowInfo().workflowId;
  const run: ImproveCarry = carried ?? {
    status: {
      runId: input.runId,
      name: input.name,
      current: 'harvest',
      steps: initialSteps(input.skip),
      continuedAsNew: 0,
    },
    kinds: [],
  };
  const status = run.status;
  let stopped: ImproveControlInput | undefined;
  let skipped: ImproveControlInput | undefined;
  let reviewed: ImproveControlInput | undefined;
  let decision: ImproveControlInput | undefined;
  /**
   * The tune child's stall, as it told this run: the details and RefineryStatus show it while it lasts. Not carried:
   * the run continues as new only in the waits of other steps, and it is cleared when the tune ends.
   */
  let childWaiting: ChildWaiting | undefined;

  const show = () => {
    setCurrentDetails(withChildWaiting(improveDetails(status, workflowId), childWaiting));
    const own = status.current === 'finished' ? 'completed' : status.current;
    upsertSearchAttributes([{ key: statusKey, value: parentStatusLabel(own, childWaiting) }]);
  };
  const mark = (step: ImproveStep, state: StepState, detail?: string) => {
    const s = status.steps.find((x) => x.step === step)!;
    s.state = state;
    s.detail = detail;
    s.at = new Date().toISOString();
    show();
  };
  const take = (c: ImproveControlInput) => {
    if (c.action === 'stop') stopped = c;
    else if (c.action === 'reviewed') reviewed = c;
    else if (c.action === 'approve' || c.action === 'reject') decision = c;
    else if ((c.step ?? status.current) === status.current) skipped = c;
    else {
      // A later step is marked at once: the run passes it by when it gets there.
      if (c.step === 'tune' && c.version !== undefined) run.candidate = c.version;
      mark(c.step!, 'skipped', `skipped by ${c.by}${c.note ? `: ${c.note}` : ''}`);
    }
  };
  const approvers = () => run.start?.approvers ?? [];

  setHandler(improveStatusQuery, () => status);
  // Update for the CLI (a refusal comes back at once), signal for the Web UI (its typed name is marked).
  setHandler(improveControlUpdate, (c) => (take(c), `${c.action} recorded`), {
    validator: (c: ImproveControlInput) => {
      const p = improveControlProblem(status, c, approvers());
      if (p) throw new Error(p);
    },
  });
  setHandler(improveControlSignal, (sent) => {
    const c: ImproveControlInput = { ...sent, authenticated: false, admin: undefined };
    const p = improveControlProblem(status, c, approvers());
    if (p) log.warn('improve control signal ignored', { problem: p });
    else take(viaSignal(c));
  });
  // The tune child says when it starts or stops waiting for a decision (a signal: it cannot be queried from here).
  setHandler(childStallSignal, (notice) => {
    childWaiting = afterNotice(childWaiting, notice, currentOptimizeChild(status));
    show();
  });

  const finish = (outcome: string): ImproveStatus => {
    status.current = 'finished';
    status.outcome = outcome;
    show();
    return status;
  };
  const stopNow = (step: ImproveStep) => {
    mark(step, 'stopped', `stopped by ${stopped!.by}${stopped!.note ? `: ${stopped!.note}` : ''}`);
    return finish(`stopped by ${stopped!.by} at the ${step} step`);
  };
  const takeSkip = (step: ImproveStep): boolean => {
    if (!skipped) return false;
    mark(step, 'skipped', `skipped by ${skipped.by}${skipped.note ? `: ${skipped.note}` : ''}`);
    return true;
  };
  const advance = (step: ImproveStep) => {
    // Runs that advanced before skipped steps were visited replay the old path: their histories hold its commands.
    status.current = patched('improve-visits-skipped-steps') ? nextStep(step) : nextUnskippedStep(status, step);
    skipped = undefined;
    run.waitUntil = undefined;
    show();
  };

  /**
   * Waits until `done()` or the step's deadline (kept in the carry, so a new run waits only what is left).
   * Continues as new when Temporal suggests it: a long wait with many messages keeps a bounded history.
   */
  const waitFor = async (done: () => boolean, ms: number): Promise<boolean> => {
    run.waitUntil ??= Date.now() + ms;
    const left = Math.max(0, run.waitUntil - Date.now());
    const met = await condition(() => done() || workflowInfo().continueAsNewSuggested, left);
    if (!done() && workflowInfo().continueAsNewSuggested && Date.now() < run.waitUntil) {
      await condition(allHandlersFinished);
      status.continuedAsNew++;
      await continueAsNew<typeof improveWorkflow>(input, run);
    }
    return met && done();
  };

  show();
  // The run's start (the first run of the chain): the check's "before" window ends here, however late a worker came.
  const startedAt = new Date(workflowInfo().startTime).toISOString();
  run.start ??= await store.startImprove({ runId: input.runId, name: input.name, startedAt });
  status.productionVersion = run.start.productionVersion;

  // Seven steps at most: the loop is bounded by the step list, not by time.
  while (status.current !== 'finished') {
    const step: ImproveStep = status.current;
    if (stopped) return stopNow(step);
    if (status.steps.find((x) => x.step === step)!.state === 'skipped') {
      if (step === 'rollout') return finish('the rollout was skipped: nothing shipped');
      if (step === 'tune') {
        // The gate and the check still need the dataset the candidate answers.
        if (!(await tuneDataset()) && run.candidate === undefined)
          return finish('nothing to tune: the review accepted no cases');
        if (run.candidate === undefined) return finish('the tune was skipped without a version: nothing to ship');
      }
      advance(step);
      continue;
    }
    switch (step) {
      case 'harvest': {
        mark(step, 'running');
        const h = await store.harvestForImprove({ runId: input.runId, name: input.name, limit: input.harvestLimit });
        status.harvest = h;
        run.kinds = h.kinds;
        mark(step, 'done', `${h.queued} new case(s) queued of ${h.candidates} failure(s) found`);
        break;
      }
      case 'review': {
        mark(
          step,
          'waiting',
          `review the queue (\`refinery cases review ${input.name}\`), then send "reviewed" ` +
            `(\`refinery improve --run ${workflowId} --reviewed\`); the run goes on by itself at the timeout`,
        );
        const answered = await waitFor(() => !!(reviewed || stopped || skipped), input.reviewTimeoutMs);
        if (stopped) return stopNow(step);
        if (takeSkip(step)) break;
        mark(
          step,
          'done',
          answered ? `reviewed (said ${reviewed!.by})` : 'the review timed out: going on with the cases accepted',
        );
        break;
      }
      case 'tune': {
        const dataset = await tuneDataset();
        if (!dataset) return finish('nothing to tune: the review accepted no cases');
        if (skipped?.version !== undefined) {
          run.candidate = skipped.version;
          mark(step, 'skipped', `skipped by ${skipped.by}: going on with v${skipped.version}`);
          break;
        }
        if (takeSkip(step)) return finish('the tune was skipped without a version: nothing to ship');
        const chosen = await tune(dataset);
        if (stopped) return stopNow(step);
        if (chosen === 'skipped') {
          if (skipped?.version !== undefined) run.candidate = skipped.version;
          takeSkip(step);
          if (run.candidate === undefined) return finish('the tune was skipped without a version: nothing to ship');
          break;
        }
        if (chosen === undefined) {
          mark(step, 'done', 'no version beat production on the new cases');
          return finish('the tune found no better version: nothing to ship');
        }
        run.candidate = chosen;
        mark(step, 'done', `v${chosen} chosen on ${dataset.name}@${dataset.version}`);
        break;
      }
      case 'gate': {
        if (run.candidate === undefined) return finish('no candidate to gate');
        if (!run.dataset) {
          mark(step, 'skipped', 'no dataset to gate on (the tune was skipped before the review published one)');
          break;
        }
        mark(step, 'running', `v${run.candidate} against production v${run.start.productionVersion}`);
        const passed = await gate(run.candidate);
        if (stopped) return stopNow(step);
        if (takeSkip(step)) break;
        if (!passed) {
          mark(step, 'failed', status.gate!.detail);
          return finish(`the gate failed: ${status.gate!.detail}`);
        }
        mark(step, 'done', status.gate!.detail);
        break;
      }
      case 'approval': {
        mark(step, 'waiting', `an approver (${approvers().join(', ')}) sends approve or reject`);
        const answered = await waitFor(() => !!(decision || stopped || skipped), input.approvalTimeoutMs);
        if (stopped) return stopNow(step);
        if (takeSkip(step)) break;
        if (!answered) {
          mark(step, 'failed', 'no approval before the timeout');
          return finish('no approval before the timeout: nothing shipped');
        }
        const d = decision!;
        if (d.action === 'reject') {
          mark(step, 'failed', `rejected by ${d.by}${d.note ? `: ${d.note}` : ''}`);
          return finish(`rejected by ${d.by}`);
        }
        mark(step, 'done', `approved by ${d.by}${d.note ? `: ${d.note}` : ''}`);
        break;
      }
      case 'rollout': {
        const shipped = await rollout(run.candidate!);
        if (!shipped) {
          if (stopped) return stopNow(step);
          return finish(`the rollout ended ${status.rollout?.phase ?? 'without promotion'}: nothing shipped`);
        }
        break;
      }
      case 'check': {
        const promotedAt = Date.parse(status.rollout!.promotedAt!);
        mark(
          step,
          'waiting',
          `measuring the harvested failure kinds until ${new Date(promotedAt + input.check.windowMs).toISOString()}`,
        );
        run.waitUntil ??= promotedAt + input.check.windowMs;
        await waitFor(() => !!(stopped || skipped), input.check.windowMs);
        if (stopped) return stopNow(step);
        if (takeSkip(step)) break;
        mark(step, 'running');
        await check(promotedAt);
        mark(step, status.check!.verdict === 'not-improved' ? 'failed' : 'done', status.check!.detail);
        return finish(
          status.check!.verdict === 'improved'
            ? `shipped v${run.candidate}; the failures fell`
            : status.check!.verdict === 'not-improved'
              ? `shipped v${run.candidate}; the failures did not fall (alert ${status.check!.alertId ?? 'opened'})`
              : `shipped v${run.candidate}; ${status.check!.detail}`,
        );
      }
    }
    advance(step);
  }
  return status;

  /** The dataset the tune runs on: the review's new version, else the fallback; published once per run. */
  async function tuneDataset(): Promise<{ name: string; version: number } | undefined> {
    if (run.dataset) return run.dataset;
    const published = await store.publishReviewed({
      runId: input.runId,
      name: input.name,
      dataset: input.dataset,
      since: run.start!.startedAt,
      author: input.startedBy,
    });
    if (published) {
      status.dataset = { name: published.name, version: published.version, added: published.added };
      if (published.kinds.length) run.kinds = published.kinds;
      run.dataset = { name: published.name, version: published.version };
    } else if (input.fallbackDataset) {
      status.dataset = { ...input.fallbackDataset, added: 0 };
      run.dataset = input.fallbackDataset;
    }
    return run.dataset;
  }

  /** The optimizer as a child; a stop or a skip cancels it. Returns the chosen version, if any. */
  async function tune(dataset: { name: string; version: number }): Promise<number | undefined | 'skipped'> {
    const optimizeRunId = `${input.runId}-tune`;
    const childId = `optimize-${input.name}-${optimizeRunId}`;
    const optimizeInput: OptimizeInput = {
      runId: optimizeRunId,
      target: { name: input.name, version: run.start!.productionVersion, kind: run.start!.kind },
      dataset,
      split: input.tune.split,
      settings: { ...input.tune.settings, thenRollout: false, outputDir: undefined, folder: undefined },
      startedBy: input.startedBy,
    };
    status.tune = { workflowId: childId };
    mark('tune', 'running', `optimize run ${childId} on ${dataset.name}@${dataset.version}`);
    const child = await startChild('optimizeWorkflow', {
      workflowId: childId,
      args: [optimizeInput],
      // As `refinery tune` starts a run: `refinery list` and `refinery decide <item>` find it by status and item.
      typedSearchAttributes: new TypedSearchAttributes([
        { key: statusKey, value: 'running' },
        { key: skillKey, value: input.name },
      ]),
      staticSummary: `Tunes ${input.name}@${run.start!.productionVersion} on ${dataset.name}@${dataset.version} for improve run ${input.runId}`,
    });
    let result: OptimizeStatus | undefined;
    let failure: unknown;
    const done = child.result().then(
      (r) => void (result = r as OptimizeStatus),
      (err: unknown) => void (failure = err),
    );
    await condition(() => result !== undefined || failure !== undefined || !!stopped || !!skipped);
    // Ended, stopped or skipped: the child waits on nothing any more, whether or not it said so.
    if (childWaiting) {
      childWaiting = undefined;
      show();
    }
    if (result === undefined && failure === undefined) {
      // Stopped or skipped while tuning: the tune is cancelled; nothing it made is shipped by this run.
      await getExternalWorkflowHandle(childId).cancel();
      void done;
      return 'skipped';
    }
    if (failure !== undefined) {
      mark('tune', 'failed', failure instanceof Error ? failure.message.slice(0, 300) : 'the tune failed');
      throw childFailed('TuneFailed', `the tune ${childId} failed`, failure);
    }
    status.tune.version = result!.outcome?.version;
    return result!.outcome?.version;
  }

  /** The candidate and production on the tune's dataset, as child eval runs; the pure gate decides. */
  async function gate(candidate: number): Promise<boolean> {
    const ds = run.dataset!;
    const evalOf = (version: number, which: string) => {
      const id = `${input.runId}-gate-${which}-v${version}`;
      return executeChild(evalRunWorkflow, {
        workflowId: id,
        args: [
          {
            runId: id,
            target: { name: input.name, version },
            dataset: { name: ds.name, version: ds.version },
            settings: { ...DEFAULT_EVAL_SETTINGS, passRateThreshold: input.gate.passRateThreshold },
          },
        ],
      });
    };
    const production = run.start!.productionVersion;
    const [c, p] = await Promise.all([
      evalOf(candidate, 'candidate'),
      production === candidate ? Promise.resolve(undefined) : evalOf(production, 'production'),
    ]);
    const v = gateVerdict(c.passRate, p?.passRate, input.gate.passRateThreshold);
    status.gate = { passed: v.passed, candidate: c.passRate, production: p?.passRate, detail: v.detail };
    return v.passed;
  }

  /** The guarded rollout as a child that outlives a stop until it has aborted; then the feedback it fixed. */
  async function rollout(candidate: number): Promise<boolean> {
    mark('rollout', 'running', `v${candidate}`);
    let built: Awaited<ReturnType<Activities['buildImproveRollout']>>;
    try {
      built = await store.buildImproveRollout({
        runId: input.runId,
        name: input.name,
        version: candidate,
        dataset: run.dataset,
        rollout: input.rollout,
        threshold: input.gate.passRateThreshold,
        startedBy: input.startedBy,
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const why = (err.cause?.message ?? err.message).slice(0, 300);
      mark('rollout', 'failed', why);
      status.rollout = { workflowId: '', rolloutId: '', phase: 'refused' };
      return false;
    }
    status.rollout = { workflowId: built.workflowId, rolloutId: built.input.rolloutId };
    mark(
      'rollout',
      'running',
      `rollout ${built.input.rolloutId} of v${candidate} (\`refinery rollout status ${input.name}\`)`,
    );
    const child = await startChild('rolloutWorkflow', {
      workflowId: built.workflowId,
      args: [built.input],
      // A stopped improve run asks the rollout to abort and waits for it; the rollout is never cut off mid-step.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Guarded rollout of ${input.name}@${candidate} for improve run ${input.runId}`,
    });
    let result: RolloutStatus | undefined;
    let failure: unknown;
    const done = child.result().then(
      (r) => void (result = r as RolloutStatus),
      (err: unknown) => void (failure = err),
    );
    await condition(() => result !== undefined || failure !== undefined || !!stopped);
    if (result === undefined && failure === undefined) {
      await getExternalWorkflowHandle(built.workflowId).signal(controlSignal, {
        action: 'abort',
        by: stopped!.by,
        reason: `improve run ${input.runId} stopped`,
      });
      await done;
    }
    if (failure !== undefined) {
      mark('rollout', 'failed', failure instanceof Error ? failure.message.slice(0, 300) : 'the rollout failed');
      throw childFailed('RolloutFailed', `the rollout ${built.workflowId} failed`, failure);
    }
    status.rollout.phase = result!.phase;
    if (result!.phase !== 'promoted') {
      mark('rollout', 'failed', result!.outcome ?? result!.phase);
      return false;
    }
    status.rollout.promotedAt = new Date().toISOString();
    const { resolved } = await store.resolveFeedback({
      runId: input.runId,
      name: input.name,
      version: candidate,
      dataset: run.dataset!,
    });
    status.resolvedFeedback = resolved;
    try {
      await webhook.notifyResolvedFeedback({ runId: input.runId });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('feedback.resolved not delivered', { runId: input.runId });
    }
    mark('rollout', 'done', `v${candidate} in production; ${resolved} feedback item(s) resolved`);
    return true;
  }

  /** The harvested kinds' rates: the old version before the run, the new one after promotion, same window. */
  async function check(promotedAt: number): Promise<void> {
    const startedAt = Date.parse(run.start!.startedAt);
    const w = input.check.windowMs;
    const before = {
      version: run.start!.productionVersion,
      from: new Date(startedAt - w).toISOString(),
      to: new Date(startedAt).toISOString(),
    };
    const after = {
      version: run.candidate!,
      from: new Date(promotedAt).toISOString(),
      to: new Date(promotedAt + w).toISOString(),
    };
    const rates = await store.failureWindows({ name: input.name, before, after });
    const kinds = run.kinds.length ? run.kinds : seenKinds(rates.before);
    const v = checkVerdict(kinds, rates.before, rates.after, input.check.minSamples);
    status.check = await store.recordImproveCheck({
      runId: input.runId,
      name: input.name,
      outcome: {
        ...v,
        before: { ...before, runs: rates.before.runs },
        after: { ...after, runs: rates.after.runs },
      },
    });
  }
}

/** Without harvested kinds (the monthly path), every kind the old version showed. */
const seenKinds = (r: KindRates): FailureKind[] =>
  (Object.entries(r.counts) as [FailureKind, number][]).filter(([, n]) => n > 0).map(([k]) => k);

/** A child run that failed (not one that ended without shipping): the improve run fails with it, saying which. */
const childFailed = (type: string, message: string, cause: unknown) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, cause: cause instanceof Error ? cause : undefined });
