import { decideCommandLine } from '../optimizer/decide-command';
import type { ImproveStatus } from '../improve/types';
import type { ChainTuneStatus } from '../optimizer/chain-types';
import type { ChildStallInput } from '../shared';

/**
 * A parent run (an improve run, a chain) waiting on an optimizer child that stalls awaiting a decision: the notice
 * the child sends, and what the parent's current details and RefineryStatus make of it. A workflow cannot query
 * another, so the child tells its parent; a person looking at the parent in the Web UI then learns a decision is
 * needed and which command gives it. Pure (no Node built-ins): workflows import it.
 */

/** The waiting part of a notice: what a parent keeps (and carries across continue-as-new) while it lasts. */
export type ChildWaiting = Extract<ChildStallInput, { state: 'waiting' }>;

/** The notice for a stall that began (`stall` given) or ended (undefined). */
export function childStallNotice(
  workflowId: string,
  item: string,
  stall: { reason: string; since: string } | undefined,
): ChildStallInput {
  return stall
    ? {
        state: 'waiting',
        workflowId,
        item,
        reason: stall.reason,
        since: stall.since,
        decide: decideCommandLine(workflowId, stall.reason),
      }
    : { state: 'cleared', workflowId, item };
}

/**
 * The parent's new waiting state after a notice. Only the child it waits on now counts (`current`): a notice of
 * another run (a late one from an earlier step) leaves the state as it was.
 */
export function afterNotice(
  was: ChildWaiting | undefined,
  notice: ChildStallInput,
  current: string | undefined,
): ChildWaiting | undefined {
  if (notice.workflowId !== current) return was;
  return notice.state === 'waiting' ? notice : undefined;
}

/** The line the parent's details show while its child waits. */
export function childWaitingLine(w: ChildWaiting): string {
  return (
    `⏸ **Waiting on \`${w.workflowId}\`** (${w.item}) for a decision since ${w.since} (${w.reason}): ` +
    `\`${w.decide}\` — that run's own details list the \`decide\` signals to send from the Web UI.`
  );
}

/** The parent's details with the waiting line after their heading (their first paragraph), where a person looks. */
export function withChildWaiting(details: string, w: ChildWaiting | undefined): string {
  if (!w) return details;
  const cut = details.indexOf('\n\n');
  const line = childWaitingLine(w);
  return cut < 0 ? `${details}\n\n${line}` : `${details.slice(0, cut)}\n\n${line}${details.slice(cut)}`;
}

/** The parent's RefineryStatus: awaiting-decision while its child waits, its own status otherwise. */
export function parentStatusLabel(own: string, w: ChildWaiting | undefined): string {
  return w ? 'awaiting-decision' : own;
}

/**
 * The optimizer run a parent is waiting on now, from the parent's own status: the improve run's tune while its tune
 * step runs, a chain's step that started and has not ended. Undefined when the parent waits on no optimizer run.
 */
export function currentOptimizeChild(s: ImproveStatus | ChainTuneStatus): string | undefined {
  if ('current' in s) {
    const tune = s.steps.find((x) => x.step === 'tune');
    return s.current === 'tune' && tune?.state === 'running' ? s.tune?.workflowId || undefined : undefined;
  }
  return s.steps.find((x) => x.workflowId && !x.status)?.workflowId;
}
