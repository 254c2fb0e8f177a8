import type { RolloutInput, RolloutStatus } from '../rollout/types';
import { humanDuration, inline, type SignalChoice } from './markdown';
import { runDetails, YOUR_NAME } from './run-details';

/** Where the bake of the current step stands, as the workflow's loop knows it. */
export interface BakeProgress {
  bakedMs: number;
  /** What the guard's last look saw (runs and fewest samples per arm). */
  lastLook?: string;
}

const ENDED = ['promoted', 'rolled-back', 'rejected', 'aborted'];

/**
 * The rollout's current details: step and share, bake progress, the guard's last look, and what a person sends —
 * `approve` while it awaits an approver (the payload names one of them), `control` to resume a pause, and the
 * controls that stop it at any time.
 */
export function rolloutDetails(input: RolloutInput, status: RolloutStatus, bake?: BakeProgress): string {
  const approver = input.approval.approvers[0] ?? YOUR_NAME;
  const approvers = `\`by\` must be one of ${input.approval.approvers.map((a) => `\`${a}\``).join(', ') || 'the approvers'}.`;
  const control = (action: string, what: string, reason?: string): SignalChoice => ({
    what,
    signal: 'control',
    payload: { action, by: YOUR_NAME, ...(reason ? { reason } : {}) },
  });
  const ended = ENDED.includes(status.phase);
  const last = status.events.at(-1);
  const step =
    status.step > 0
      ? `step ${status.step} of ${input.steps.length} at ${status.percent} %` +
        (bake ? `, baked ${humanDuration(bake.bakedMs)} of ${humanDuration(input.bakeMs)}` : '')
      : `staging (canary steps ${input.steps.map((p) => `${p} %`).join(' → ')})`;
  let waiting: Parameters<typeof runDetails>[0]['waiting'];
  if (status.phase === 'awaiting-approval')
    waiting = {
      waitsFor: `an approver to let version ${input.candidateVersion} of \`${input.name}\` reach its first canary step (up to ${humanDuration(input.approval.timeoutMs)}).`,
      choices: [
        { what: 'approve', signal: 'approve', payload: { decision: 'approve', by: approver } },
        { what: 'reject', signal: 'approve', payload: { decision: 'reject', by: approver, note: 'why' } },
      ],
      note: approvers,
      cli: `refinery rollout approve|reject ${input.name} --by <approver>`,
    };
  else if (status.phase === 'awaiting-evidence')
    waiting = {
      waitsFor: `too few live samples at ${status.percent} % after the bake and its extension: an approver may advance anyway or abort.`,
      choices: [
        { what: 'advance without the evidence', signal: 'approve', payload: { decision: 'approve', by: approver } },
        { what: 'abort the rollout', signal: 'approve', payload: { decision: 'reject', by: approver } },
      ],
      note: approvers,
      cli: `refinery rollout approve|reject ${input.name} --by <approver>`,
    };
  else if (status.phase === 'paused')
    waiting = {
      waitsFor: `someone to resume the paused rollout (the canary keeps ${status.percent} %).`,
      choices: [
        control('resume', 'resume'),
        control('abort', 'abort', 'why'),
        control('emergency-rollback', 'roll back now', 'why'),
      ],
      cli: `refinery rollout resume|abort ${input.name} --by <you>`,
    };
  return runDetails({
    title: `**Guarded rollout** of \`${input.name}\` v${input.candidateVersion}${status.controlVersion === undefined ? '' : ` over v${status.controlVersion}`}`,
    phase: status.phase,
    step,
    notes: [
      ...(bake?.lastLook ? [`Guard's last look: ${inline(bake.lastLook)}`] : []),
      ...(last ? [`Last event (${last.at}): ${last.kind} — ${inline(last.detail)}`] : []),
      ...(status.outcome ? [`Outcome: ${inline(status.outcome)}`] : []),
    ],
    waiting,
    controls: ended
      ? []
      : [
          ...(status.phase === 'baking' ? [control('pause', 'pause the bake')] : []),
          control('abort', 'abort (the candidate is taken away)', 'why'),
          control('emergency-rollback', 'roll back now', 'why'),
        ],
  });
}
