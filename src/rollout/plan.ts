import type { ApprovalInput, ControlInput, RolloutStatus } from './types';

/** Pure rules of the rollout workflow, table-tested. */

export const DEFAULT_STEPS = [1, 10, 50, 100];

export function stepsProblem(steps: number[]): string | undefined {
  if (steps.length === 0) return 'give at least one step';
  if (steps.some((s) => !(s > 0 && s <= 100))) return 'steps are percentages above 0 and at most 100';
  if (steps.some((s, i) => i > 0 && s <= steps[i - 1]!)) return 'steps must increase (e.g. 1,10,50,100)';
  if (steps[steps.length - 1] !== 100) return 'the last step must be 100';
  return undefined;
}

/** Why an approval cannot be taken: the phase, or an approver who is not the owner or an admin. */
export function approvalProblem(s: RolloutStatus, a: ApprovalInput, approvers: string[]): string | undefined {
  if (s.phase !== 'awaiting-approval') return `the rollout is not awaiting approval (phase: ${s.phase})`;
  if (a.decision !== 'approve' && a.decision !== 'reject') return 'decision must be approve or reject';
  if (!approvers.includes(a.by)) return `${a.by} may not approve: only ${approvers.join(', ')} (the owner or an admin)`;
  return undefined;
}

export function controlProblem(s: RolloutStatus, c: ControlInput): string | undefined {
  const done = ['promoted', 'rolled-back', 'rejected', 'aborted'].includes(s.phase);
  if (done && c.action !== 'emergency-rollback') return `the rollout has ended (${s.phase})`;
  if (c.action === 'pause' && s.phase !== 'baking') return 'only a baking rollout can be paused';
  if (c.action === 'resume' && s.phase !== 'paused') return 'only a paused rollout can be resumed';
  if (!c.by?.trim()) return 'say who acts (--by)';
  return undefined;
}
