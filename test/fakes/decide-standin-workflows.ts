/**
 * Stand-ins for `tuneWorkflow` and `optimizeWorkflow` for `refinery decide`'s tests: each waits for one `decide`
 * update and ends with it, so finding a run by its item's name through visibility is tested against a real
 * Temporal server without running a tune (the test sets RefinerySkill and RefineryStatus when it starts them).
 */
import { condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import type { DecisionInput } from '../../src/tune/types';

export const standinDecideUpdate = defineUpdate<string, [DecisionInput]>('decide');
export const standinDecisionsQuery = defineQuery<DecisionInput[]>('decisions');

async function waitForDecision(): Promise<DecisionInput[]> {
  const decisions: DecisionInput[] = [];
  setHandler(standinDecisionsQuery, () => decisions);
  setHandler(standinDecideUpdate, (d) => {
    decisions.push(d);
    return `accepted: ${d.action}`;
  });
  await condition(() => decisions.length > 0);
  return decisions;
}

export async function tuneWorkflow(): Promise<DecisionInput[]> {
  return waitForDecision();
}

export async function optimizeWorkflow(): Promise<DecisionInput[]> {
  return waitForDecision();
}
