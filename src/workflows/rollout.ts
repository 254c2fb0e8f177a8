import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { viaSignal } from '../user-identity';
import type { GuardCheck } from '../activities/rollout';
import type { EvalResult } from './eval-run';
import { DEFAULT_EVAL_SETTINGS } from '../eval/defaults';
import {
  afterLook,
  approvalProblem,
  controlProblem,
  defaultMaxBakeExtensionMs,
  LOOKS_PER_RUN,
  nextWaitMs,
  RECENT_EVENTS,
  rolloutInputProblem,
} from '../rollout/plan';
import type {
  ApprovalInput,
  ControlInput,
  RolloutCarry,
  RolloutInput,
  RolloutPhase,
  RolloutStatus,
} from '../rollout/types';
import {
  approveSignal,
  approveUpdate,
  controlSignal,
  controlUpdate,
  rolloutStatusQuery,
  SEARCH_ATTRIBUTES,
} from '../shared';
import { rolloutDetails, type BakeProgress } from '../web-ui/rollout-details';
import { evalMetadata } from '../web-ui/static-metadata';
import { bakeSummary, guardSummary, waitForPersonSummary } from '../web-ui/summaries';
import { evalRunWorkflow } from './eval-run';

type Activities = ReturnType<typeof createActivities>;

const acts = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { nonRetryableErrorTypes: ['RolloutRefused'] },
});
// The guard reads live signals from the store; quick, but a normal activity keeps its result in history.
const guard = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes' });

const stepKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.rolloutStep, SearchAttributeType.INT);
const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);

const samplesText = (v: GuardCheck) =>
  `${v.samples.control} control and ${v.samples.canary} canary runs; fewest samples on a guard signal: ` +
  `control ${v.fewest.control}, canary ${v.fewest.canary} (minimum ${v.minSamples})`;

/**
 * A guarded rollout: staging + the eval gate, approval, progressive canary steps with durable bake
 * timers and a sequential guard on live signals, then automatic rollback on a breach or promotion
 * (compare-and-set against the production recorded at the start). The bake loop continues as new
 * every LOOKS_PER_RUN looks, so weeks of bakes keep each run's history small.
 */
export async function rolloutWorkflow(input: RolloutInput): Promise<RolloutStatus> {
  const problem = rolloutInputProblem(input);
  if (problem) throw ApplicationFailure.create({ type: 'InvalidRolloutInput', message: problem, nonRetryable: true });
  const carry = input.resume;
  const status: RolloutStatus = {
    rolloutId: input.rolloutId,
    name: input.name,
    candidateVersion: input.candidateVersion,
    controlVersion: carry?.controlVersion,
    phase: carry?.phase ?? 'staging',
    step: carry ? carry.stepIndex + 1 : 0,
    percent: carry ? input.steps[carry.stepIndex]! : 0,
    events: carry?.recentEvents ?? [],
    eventCount: carry?.eventCount ?? 0,
  };
  let approval: ApprovalInput | undefined;
  let control: ControlInput | undefined;
  // The Web UI's current details: redrawn on every phase change, event and guard look.
  let bake: BakeProgress | undefined;
  const show = () => setCurrentDetails(rolloutDetails(input, status, bake));

  const event = async (kind: string, detail: string, notify = false) => {
    const index = status.eventCount++;
    status.events.push({ at: new Date().toISOString(), kind, detail: detail.slice(0, 500) });
    // Only the recent ones stay in memory (and in the continue-as-new input); all are in the store.
    if (status.events.length > RECENT_EVENTS) status.events.splice(0, status.events.length - RECENT_EVENTS);
    show();
    await acts.recordRolloutEvent({ rolloutId: input.rolloutId, index, name: input.name, kind, detail, notify });
  };
  const setPhase = (phase: RolloutPhase) => {
    status.phase = phase;
    upsertSearchAttributes([
      { key: stepKey, value: status.step },
      { key: statusKey, value: phase },
    ]);
    show();
  };
  const share = async (percent: number, state: string) => {
    status.percent = percent;
    await acts.setRolloutShare({
      rolloutId: input.rolloutId,
      name: input.name,
      kind: 'rollout',
      controlVersion: status.controlVersion!,
      candidateVersion: input.candidateVersion,
      percent,
      salt: input.rolloutId,
      status: state,
      step: status.step,
    });
  };

  setHandler(rolloutStatusQuery, () => status);
  // Approval is both an update (the CLI learns at once whether it was taken) and a signal (the Web UI
  // can send it). It answers the approval before the steps and the "awaiting evidence" pause alike.
  setHandler(approveUpdate, (a) => ((approval = a), `${a.decision} recorded`), {
    validator: (a: ApprovalInput) => {
      const problem = approvalProblem(status, a, input.approval.approvers);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(approveSignal, (sent) => {
    // A signal's identity is whatever was typed: it cannot claim the API's admin word.
    const a: ApprovalInput = { ...sent, authenticated: false, admin: undefined };
    const problem = approvalProblem(status, a, input.approval.approvers);
    if (problem) log.warn('approval signal ignored', { problem });
    else approval = viaSignal(a);
  });
  setHandler(controlUpdate, (c) => ((control = c), `${c.action} recorded`), {
    validator: (c: ControlInput) => {
      const problem = controlProblem(status, c);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(controlSignal, (c) => {
    const problem = controlProblem(status, c);
    if (problem) log.warn('control signal ignored', { problem });
    else control = viaSignal(c);
  });

  const end = async (phase: RolloutPhase, outcome: string, notify = false) => {
    // Every ending but promotion takes the candidate away from every unit.
    if (phase !== 'promoted' && (status.percent > 0 || phase === 'rolled-back')) await share(0, phase);
    setPhase(phase);
    status.outcome = outcome;
    await event(phase, outcome, notify);
    return status;
  };
  const note = (a: ApprovalInput) => `${a.by}${a.note ? `: ${a.note}` : ''}`;

  let since: string;
  if (carry) {
    since = carry.since;
  } else {
    // Staging and the gate: nobody outside staging sees the candidate until the gate passes.
    const plan = await acts.planRollout({ name: input.name, candidateVersion: input.candidateVersion });
    status.controlVersion = plan.controlVersion;
    since = plan.since;
    setPhase('staging');
    await acts.moveRolloutLabel({
      rolloutId: input.rolloutId,
      name: input.name,
      label: 'staging',
      version: input.candidateVersion,
    });
    if (input.gate) {
      // Unique per rollout and candidate: an eval run id seen before would reuse that run's stored answers.
      const gateId = `${input.rolloutId}-gate-v${input.candidateVersion}`;
      const gateInput = {
        runId: gateId,
        target: { name: input.name, version: input.candidateVersion },
        dataset: { name: input.gate.dataset, version: input.gate.datasetVersion },
        settings: { ...DEFAULT_EVAL_SETTINGS, passRateThreshold: input.gate.passRateThreshold },
      };
      const result: EvalResult = await executeChild(evalRunWorkflow, {
        workflowId: gateId,
        args: [gateInput],
        ...evalMetadata(gateInput, {
          purpose: `Staging gate of rollout ${input.rolloutId}`,
          startedBy: input.startedBy,
        }),
      });
      if (!result.gate?.passed) {
        const causes = (result.gate?.failures ?? []).map((f) => `${f.cause}: ${f.detail}`).join('; ');
        return end(
          'rejected',
          `the staging gate failed (${causes}); report ${result.reportRef ?? 'stored with the eval run'}`,
          true,
        );
      }
      await event(
        'gate-passed',
        `pass rate ${(result.passRate * 100).toFixed(1)}% on ${input.gate.dataset}@${input.gate.datasetVersion} (eval run ${gateId})`,
      );
    } else {
      await event('gate-skipped', 'no golden dataset was given: the staging gate did not run');
    }

    if (input.approval.required) {
      setPhase('awaiting-approval');
      const decided = await condition(
        () => approval !== undefined || control?.action === 'abort',
        input.approval.timeoutMs,
        { summary: waitForPersonSummary('approval', 'approve', input.approval.timeoutMs) },
      );
      if (!decided) return end('rejected', 'no approval before the timeout', true);
      if (control?.action === 'abort') return end('aborted', `aborted by ${control.by}`);
      const a = approval!;
      approval = undefined;
      if (a.decision === 'reject') return end('rejected', `rejected by ${note(a)}`);
      await event('approved', `by ${note(a)}`);
    }
  }

  const bakeMs = input.bakeMs;
  const maxBakeExtensionMs = input.maxBakeExtensionMs ?? defaultMaxBakeExtensionMs(bakeMs);
  let looks = 0;
  for (let i = carry?.stepIndex ?? 0; i < input.steps.length; i++) {
    const percent = input.steps[i]!;
    const resumed = carry !== undefined && i === carry.stepIndex;
    let bakedMs = resumed ? carry.bakedMs : 0;
    let awaitingMs = resumed ? carry.awaitingMs : 0;
    let lastSamples = resumed ? carry.lastSamples : 'no look yet';
    status.step = i + 1;
    if (!resumed) {
      setPhase('baking');
      await share(percent, 'running');
      await event('step', `${percent}% of units see version ${input.candidateVersion}`);
    }
    // Bake: a durable timer per evaluation interval; the guard looks at every one of them. Bounded per
    // run by LOOKS_PER_RUN, after which the loop continues in a new run with the state it needs.
    for (;;) {
      // A message that arrived during the last look is handled first: the next run would not see it.
      const pending = approval !== undefined || control !== undefined;
      if (!pending && (looks >= LOOKS_PER_RUN || workflowInfo().continueAsNewSuggested)) {
        await condition(allHandlersFinished);
        const next: RolloutCarry = {
          controlVersion: status.controlVersion!,
          since,
          stepIndex: i,
          bakedMs,
          awaitingMs,
          lastSamples,
          phase: status.phase === 'awaiting-evidence' ? 'awaiting-evidence' : 'baking',
          eventCount: status.eventCount,
          recentEvents: status.events,
          run: (carry?.run ?? 1) + 1,
        };
        return continueAsNew<typeof rolloutWorkflow>({ ...input, resume: next });
      }
      const awaiting = status.phase === 'awaiting-evidence';
      const wait = nextWaitMs({
        bakedMs,
        bakeMs,
        maxBakeExtensionMs,
        evaluationIntervalMs: input.evaluationIntervalMs,
        awaitingEvidence: awaiting,
      });
      bake = { bakedMs, lastLook: lastSamples };
      show();
      const interrupted = await condition(() => control !== undefined || approval !== undefined, wait, {
        summary: awaiting
          ? waitForPersonSummary(`an approver at ${percent} % (or evidence)`, 'approve', wait)
          : bakeSummary(percent, wait, status.step),
      });
      if (interrupted) {
        if (approval) {
          // Only accepted while awaiting evidence (the validator checks the phase).
          const a = approval;
          approval = undefined;
          if (a.decision === 'reject')
            return end('aborted', `aborted by ${note(a)} for lack of evidence at ${percent}%`, true);
          await event(
            'advanced-without-evidence',
            `step ${status.step} advanced anyway by ${note(a)}, at the last look ${lastSamples}`,
          );
          setPhase('baking');
          break;
        }
        const c = control!;
        control = undefined;
        if (c.action === 'emergency-rollback')
          return end('rolled-back', `emergency rollback by ${c.by}: ${c.reason ?? ''}`, true);
        if (c.action === 'abort') return end('aborted', `aborted by ${c.by}: ${c.reason ?? ''}`);
        if (c.action === 'pause') {
          const before = status.phase;
          setPhase('paused');
          await share(percent, 'paused');
          // One wait however long the pause: a handful of events, nothing to continue as new for.
          await condition(() => control !== undefined);
          const next = control!;
          control = undefined;
          if (next.action !== 'resume')
            return end(next.action === 'abort' ? 'aborted' : 'rolled-back', `${next.action} by ${next.by}`, true);
          setPhase(before);
          await share(percent, 'running');
        }
        continue;
      }
      looks++;
      bakedMs += wait;
      if (awaiting) awaitingMs += wait;
      const verdict = await guard.checkGuard.executeWithOptions(
        { summary: guardSummary(percent, input.candidateVersion, status.controlVersion) },
        [
          {
            name: input.name,
            controlVersion: status.controlVersion!,
            rolloutId: input.rolloutId,
            candidateVersion: input.candidateVersion,
            since,
            policy: input.guard,
          },
        ],
      );
      lastSamples = samplesText(verdict);
      if (verdict.stoppedOutside)
        return end('rolled-back', `stopped outside the workflow (${verdict.stoppedOutside}): emergency rollback`, true);
      if (verdict.productionMoved) {
        const m = verdict.productionMoved;
        return end(
          'aborted',
          `production was moved to ${m.version === null ? 'nothing' : `v${m.version}`} by ${m.by} at ${m.at} (${m.reason}) ` +
            `during the bake of step ${status.step}: the rollout stops and will not promote over it`,
          true,
        );
      }
      if (verdict.breach)
        return end(
          'rolled-back',
          `automatic rollback at ${percent}%: ${verdict.evidence} (${samplesText(verdict)})`.slice(0, 2000),
          true,
        );
      if (awaiting) {
        if (verdict.enoughSamples) {
          await event(
            'guard',
            `step ${status.step}: evidence arrived while awaiting an approver: ${samplesText(verdict)}`,
          );
          // An answer that came during this look is moot now; it must not advance the next step.
          approval = undefined;
          setPhase('baking');
          break;
        }
        if (awaitingMs >= input.approval.timeoutMs)
          return end('aborted', `no approver decided within the approval timeout; ${samplesText(verdict)}`, true);
        continue;
      }
      const move = afterLook({ bakedMs, bakeMs, maxBakeExtensionMs, enoughSamples: verdict.enoughSamples });
      if (move === 'advance') {
        await event('guard', `step ${status.step} baked: no breach with ${samplesText(verdict)}`);
        break;
      }
      if (move === 'extend' && bakedMs === bakeMs)
        await event(
          'bake-extended',
          `step ${status.step}: too few samples (${verdict.lacking.join(', ')}) with ${samplesText(verdict)}: ` +
            `the bake extends by up to ${Math.round(maxBakeExtensionMs / 60_000)} min`,
        );
      if (move === 'await-evidence') {
        setPhase('awaiting-evidence');
        await event(
          'awaiting-evidence',
          `step ${status.step} at ${percent}%: still too few samples (${verdict.lacking.join(', ')}) with ` +
            `${samplesText(verdict)} after the bake and its extension: an approver may advance anyway ` +
            `(refinery rollout approve ${input.name}) or abort (refinery rollout reject ${input.name})`,
          true,
        );
      }
    }
  }

  // Compare-and-set: production moves only if it still holds the version recorded at the start.
  const promoted = await acts.promoteRollout({
    rolloutId: input.rolloutId,
    name: input.name,
    controlVersion: status.controlVersion!,
    candidateVersion: input.candidateVersion,
  });
  if (!promoted.promoted)
    return end('aborted', `not promoted: ${promoted.detail}; the candidate is taken away`.slice(0, 2000), true);
  await share(100, 'promoted');
  return end('promoted', `production → version ${input.candidateVersion} (rollout ${input.rolloutId})`);
}
