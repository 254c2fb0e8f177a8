import { bestOnValidation } from './engine';
import { paretoFrontier } from './frontier';
import type { OptimizeRunState } from './run-state';
import type { OptimizeInput } from './types';
import { humanDuration, waitingBlock, type SignalChoice } from '../web-ui/markdown';
import { decideChoices, YOUR_NAME } from '../web-ui/run-details';
import { decideCommandLine } from './decide-command';

const pct = (x: number) => `${Math.round(x * 1000) / 10}`;

/**
 * The run's current details for the Temporal Web UI (markdown): what it tunes, where it is, the best so far, what it
 * spent, and — when it waits — exactly what to send. The Web UI is where a person looks first.
 */
export function details(input: OptimizeInput, run: OptimizeRunState, workflowId: string): string {
  const e = run.engine;
  const lines = [
    `**Optimizing** \`${input.target.name}@${input.target.version}\` on \`${input.dataset.name}@${input.dataset.version}\` — ${run.phase}`,
  ];
  if (run.split)
    lines.push(
      run.split.heldOut
        ? `Split: ${run.split.train.length} train · ${run.split.validation.length} validation · ${run.split.test.length} test (seed ${run.split.seed})`
        : `No held-out evidence: ${run.split.validation.length} cases, accepted on repeated samples`,
    );
  if (e) {
    const best = bestOnValidation(e);
    lines.push(
      `Round ${e.round}/${e.maxRounds} · best validation ${pct(best.interval.mean)} [${pct(best.interval.low)}, ${pct(best.interval.high)}] · frontier ${paretoFrontier(e.accepted).length} · ${e.acceptances}/${e.proposals} proposals accepted`,
    );
    const budget = input.settings.budget;
    lines.push(
      `Spent ${e.spent.calls} calls${budget.calls !== undefined ? ` of ${budget.calls}` : ''}, $${e.spent.usd.toFixed(4)}${budget.usd !== undefined ? ` of $${budget.usd}` : ''}`,
    );
    if (e.lastRejection) lines.push(`Last rejection: ${e.lastRejection.reason}`);
  }
  if (run.stall) {
    const since = `since ${run.stall.since}; it waits up to ${humanDuration(input.settings.decisionTimeoutMs)}`;
    lines.push(
      run.stall.reason === 'unresolved-recurring'
        ? waitingBlock({
            waitsFor: `a decision before the chosen candidate is recorded: ${run.stall.detail} (${since}, then keeps the original).`,
            choices: recurringChoices(),
            cli: decideCommandLine(workflowId, run.stall.reason),
          })
        : waitingBlock({
            waitsFor: `${run.stall.detail} (${since}).`,
            choices: decideChoices(),
            cli: decideCommandLine(workflowId, run.stall.reason),
          }),
    );
  }
  return lines.join('\n\n');
}

/** The answers to an unresolved recurring issue (reference 003): record the pick anyway, or keep the original. */
function recurringChoices(): SignalChoice[] {
  return [
    { what: 'record the chosen candidate anyway', signal: 'decide', payload: { action: 'accept', by: YOUR_NAME } },
    { what: 'keep the original', signal: 'decide', payload: { action: 'rollback', by: YOUR_NAME } },
    { what: 'cancel the run', signal: 'decide', payload: { action: 'cancel', by: YOUR_NAME } },
  ];
}
