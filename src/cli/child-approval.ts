import type { Client } from '@temporalio/client';
import { queryWithin } from '../clients/query-within';
import type { ImproveStatus } from '../improve/types';
import type { RolloutStatus } from '../rollout/types';
import { rolloutStatusQuery } from '../shared';

/** An improve run's rollout child that waits for an approver (`refinery rollout approve|reject <name>`). */
export interface ChildAwaitingApproval {
  workflowId: string;
  rolloutId: string;
  /** The item rolled out: the rollout commands take it, not the workflow id. */
  name: string;
  phase: 'awaiting-approval' | 'awaiting-evidence';
  step: number;
  percent: number;
  /** What the approver is asked, in a few words. */
  waitingFor: string;
  /** The commands that answer it: approve, then reject. */
  commands: string[];
}

/** The rollout child an improve run waits on now: its rollout step runs and has started one. */
export function currentRolloutChild(s: ImproveStatus): string | undefined {
  const step = s.steps.find((x) => x.step === 'rollout');
  return s.current === 'rollout' && step?.state === 'running' ? s.rollout?.workflowId || undefined : undefined;
}

/**
 * What a rollout's wait for an approver says to a person, as `refinery rollout` takes it. An improve run's rollout
 * asks for no approval before its first step (the improve run had its own approval step), but a step short of
 * samples after its bake and extension waits for an approver all the same: both waits are answered the same way.
 */
export function childApprovalOf(workflowId: string, s: RolloutStatus): ChildAwaitingApproval | undefined {
  if (s.phase !== 'awaiting-approval' && s.phase !== 'awaiting-evidence') return undefined;
  const evidence = s.phase === 'awaiting-evidence';
  return {
    workflowId,
    rolloutId: s.rolloutId,
    name: s.name,
    phase: s.phase,
    step: s.step,
    percent: s.percent,
    waitingFor: evidence
      ? `too few samples at step ${s.step} (${s.percent}%) after the bake: an approver advances anyway or aborts`
      : 'an approver approves it before its first step, or rejects it',
    commands: [
      `refinery rollout approve ${s.name} --by <owner or admin> [--note "…"]`,
      `refinery rollout reject ${s.name} --by <owner or admin> [--note "…"]`,
    ],
  };
}

/**
 * A workflow cannot query another, so the client composes it: asks the improve run's rollout child for its status
 * and returns its wait for an approver, if it has one. A child that does not answer in time (no worker) is left out.
 */
export async function childAwaitingApproval(
  client: Client,
  parent: ImproveStatus,
): Promise<ChildAwaitingApproval | undefined> {
  const childId = currentRolloutChild(parent);
  if (!childId) return undefined;
  const s = await queryWithin(client, childId, rolloutStatusQuery);
  return s ? childApprovalOf(childId, s) : undefined;
}

/** The lines `refinery status <improve run>` adds when its rollout awaits an approver. */
export function childApprovalLines(c: ChildAwaitingApproval): string[] {
  return [
    `  waiting on rollout ${c.rolloutId} (${c.workflowId}) of ${c.name}, awaiting approval (${c.phase}): ${c.waitingFor}`,
    `  approve with: ${c.commands[0]}`,
    `  or reject with: ${c.commands[1]}`,
  ];
}
