import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  condition,
  executeChild,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { EvalResult } from '../clients/eval';
import { DEFAULT_EVAL_SETTINGS } from '../eval/defaults';
import { approvalProblem, controlProblem } from '../rollout/plan';
import type { ApprovalInput, ControlInput, RolloutInput, RolloutPhase, RolloutStatus } from '../rollout/types';
import {
  approveSignal,
  approveUpdate,
  controlSignal,
  controlUpdate,
  rolloutStatusQuery,
  SEARCH_ATTRIBUTES,
} from '../shared';
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

/**
 * A guarded rollout: staging + the eval gate, approval, progressive canary steps with durable bake
 * timers and a sequential guard on live signals, then automatic rollback on a breach or promotion.
 */
export async function rolloutWorkflow(input: RolloutInput): Promise<RolloutStatus> {
  const status: RolloutStatus = {
    rolloutId: input.rolloutId,
    name: input.name,
    candidateVersion: input.candidateVersion,
    phase: 'staging',
    step: 0,
    percent: 0,
    events: [],
  };
  let approval: ApprovalInput | undefined;
  let control: ControlInput | undefined;

  const event = async (kind: string, detail: string, notify = false) => {
    status.events.push({ at: new Date().toISOString(), kind, detail: detail.slice(0, 500) });
    await acts.recordRolloutEvent({
      rolloutId: input.rolloutId,
      index: status.events.length - 1,
      name: input.name,
      kind,
      detail,
      notify,
    });
  };
  const setPhase = (phase: RolloutPhase) => {
    status.phase = phase;
    upsertSearchAttributes([
      { key: stepKey, value: status.step },
      { key: statusKey, value: phase },
    ]);
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
  setHandler(approveUpdate, (a) => ((approval = a), `${a.decision} recorded`), {
    validator: (a: ApprovalInput) => {
      const problem = approvalProblem(status, a, input.approval.approvers);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(approveSignal, (a) => {
    const problem = approvalProblem(status, a, input.approval.approvers);
    if (problem) log.warn('approval signal ignored', { problem });
    else approval = a;
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
    else control = c;
  });

  const end = async (phase: RolloutPhase, outcome: string, notify = false) => {
    // Every ending but promotion takes the candidate away from every unit.
    if (phase !== 'promoted' && (status.percent > 0 || phase === 'rolled-back')) await share(0, phase);
    setPhase(phase);
    status.outcome = outcome;
    await event(phase, outcome, notify);
    return status;
  };

  // Staging and the gate: nobody outside staging sees the candidate until the gate passes.
  const plan = await acts.planRollout({ name: input.name, candidateVersion: input.candidateVersion });
  status.controlVersion = plan.controlVersion;
  const since = plan.since;
  setPhase('staging');
  await acts.moveRolloutLabel({
    rolloutId: input.rolloutId,
    name: input.name,
    label: 'staging',
    version: input.candidateVersion,
  });
  if (input.gate) {
    const result: EvalResult = await executeChild(evalRunWorkflow, {
      workflowId: `${workflowInfo().workflowId}-gate`,
      args: [
        {
          runId: `${workflowInfo().workflowId}-gate`,
          target: { name: input.name, version: input.candidateVersion },
          dataset: { name: input.gate.dataset, version: input.gate.datasetVersion },
          settings: { ...DEFAULT_EVAL_SETTINGS, passRateThreshold: input.gate.passRateThreshold },
        },
      ],
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
      `pass rate ${(result.passRate * 100).toFixed(1)}% on ${input.gate.dataset}@${input.gate.datasetVersion}`,
    );
  } else {
    await event('gate-skipped', 'no golden dataset was given: the staging gate did not run');
  }

  if (input.approval.required) {
    setPhase('awaiting-approval');
    const decided = await condition(
      () => approval !== undefined || control?.action === 'abort',
      input.approval.timeoutMs,
    );
    if (!decided) return end('rejected', 'no approval before the timeout', true);
    if (control?.action === 'abort') return end('aborted', `aborted by ${control.by}`);
    if (approval!.decision === 'reject')
      return end('rejected', `rejected by ${approval!.by}${approval!.note ? `: ${approval!.note}` : ''}`);
    await event('approved', `by ${approval!.by}${approval!.note ? `: ${approval!.note}` : ''}`);
  }

  let lastSamples = { control: 0, canary: 0 };
  for (const [i, percent] of input.steps.entries()) {
    status.step = i + 1;
    setPhase('baking');
    await share(percent, 'running');
    await event('step', `${percent}% of units see version ${input.candidateVersion}`);
    // Bake: a durable timer per evaluation interval; the guard looks at every one of them.
    let baked = 0;
    while (baked < input.bakeMs) {
      const interval = Math.min(input.evaluationIntervalMs, input.bakeMs - baked);
      const interrupted = await condition(() => control !== undefined, interval);
      if (interrupted) {
        const c = control!;
        control = undefined;
        if (c.action === 'emergency-rollback')
          return end('rolled-back', `emergency rollback by ${c.by}: ${c.reason ?? ''}`, true);
        if (c.action === 'abort') return end('aborted', `aborted by ${c.by}: ${c.reason ?? ''}`);
        if (c.action === 'pause') {
          setPhase('paused');
          await share(percent, 'paused');
          await condition(() => control !== undefined);
          const next = control!;
          control = undefined;
          if (next.action !== 'resume')
            return end(next.action === 'abort' ? 'aborted' : 'rolled-back', `${next.action} by ${next.by}`, true);
          setPhase('baking');
          await share(percent, 'running');
        }
        continue;
      }
      baked += interval;
      const verdict = await guard.checkGuard({
        name: input.name,
        controlVersion: status.controlVersion,
        rolloutId: input.rolloutId,
        candidateVersion: input.candidateVersion,
        since,
        policy: input.guard,
      });
      if (verdict.stoppedOutside)
        return end('rolled-back', `stopped outside the workflow (${verdict.stoppedOutside}): emergency rollback`, true);
      if (verdict.breach) return end('rolled-back', `automatic rollback at ${percent}%: ${verdict.evidence}`, true);
      lastSamples = verdict.samples;
    }
    await event(
      'guard',
      `step ${status.step} baked: no breach with ${lastSamples.control} control and ${lastSamples.canary} canary runs`,
    );
  }

  await acts.moveRolloutLabel({
    rolloutId: input.rolloutId,
    name: input.name,
    label: 'production',
    version: input.candidateVersion,
  });
  await share(100, 'promoted');
  return end('promoted', `production → version ${input.candidateVersion} (rollout ${input.rolloutId})`);
}
