/**
 * Stand-ins for `tuneWorkflow` and `optimizeWorkflow` for `refinery decide`'s tests: each waits for one `decide`
 * update and ends with it, so finding a run by its item's name through visibility is tested against a real
 * Temporal server without running a tune (the test sets RefinerySkill and RefineryStatus when it starts them, and
 * whether its status query shows a stall).
 */
import { condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import type { DecisionInput } from '../../src/tune/types';

export const standinDecideUpdate = defineUpdate<string, [DecisionInput]>('decide');
export const standinDecisionsQuery = defineQuery<DecisionInput[]>('decisions');
/** The runs' own status, as the real ones answer it: a stall while they wait, when started `stalled`. */
export const standinStatusQuery = defineQuery<{ stall?: { reason: string; detail: string; since: string } }>('status');

async function waitForDecision(opts: { stalled?: boolean } = {}): Promise<DecisionInput[]> {
  const decisions: DecisionInput[] = [];
  setHandler(standinDecisionsQuery, () => decisions);
  setHandler(standinStatusQuery, () =>
    opts.stalled && decisions.length === 0
      ? { stall: { reason: 'converged', detail: 'stand-in', since: '2026-01-01T00:00:00.000Z' } }
      : {},
  );
  setHandler(standinDecideUpdate, (d) => {
    decisions.push(d);
    return `accepted: ${d.action}`;
  });
  await condition(() => decisions.length > 0);
  return decisions;
}

export async function tuneWorkflow(opts?: { stalled?: boolean }): Promise<DecisionInput[]> {
  return waitForDecision(opts);
}

export async function optimizeWorkflow(opts?: { stalled?: boolean }): Promise<DecisionInput[]> {
  return waitForDecision(opts);
}
