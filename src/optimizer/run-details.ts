import { bestOnValidation } from './engine';
import { paretoFrontier } from './frontier';
import type { OptimizeRunState } from './run-state';
import type { OptimizeInput } from './types';

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
  if (run.stall?.reason === 'unresolved-recurring')
    lines.push(
      `**Waiting for a decision before the chosen candidate is recorded**: ${run.stall.detail}.`,
      `Send \`refinery decide ${workflowId} --action accept --by <you>\` to record it anyway, or \`--action rollback\` to keep the original (or continue, cancel); or the \`decide\` signal with {"action":"rollback","by":"you"}.`,
    );
  else if (run.stall)
    lines.push(
      `**Waiting for a decision**: ${run.stall.detail}.`,
      `Send \`refinery decide ${workflowId} --action continue --iterations N --by <you>\` (or accept, rollback, cancel), or the \`decide\` signal with {"action":"continue","iterations":3,"by":"you"}.`,
    );
  return lines.join('\n\n');
}
