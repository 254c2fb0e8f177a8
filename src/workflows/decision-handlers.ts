import { log, setHandler } from '@temporalio/workflow';
import { viaSignal } from '../user-identity';
import { decideSignal, decideUpdate } from '../shared';
import type { DecisionInput } from '../tune/types';

/**
 * The `decide` handlers of a run that stalls for a person (the tune loop and the optimizer): an update for the CLI,
 * which learns at once whether the decision was taken (the validator refuses it otherwise), and a signal of the same
 * shape for the Web UI, which can send signals but not updates. A signal cannot be refused back to its sender: an
 * invalid one is logged and dropped. `take` receives a decision that passed `problemOf`.
 */
export function handleDecisions(
  problemOf: (decision: DecisionInput) => string | undefined,
  take: (decision: DecisionInput) => void,
): void {
  setHandler(
    decideUpdate,
    (decision) => {
      take(decision);
      return `accepted: ${decision.action}`;
    },
    {
      validator: (decision: DecisionInput) => {
        const problem = problemOf(decision);
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(decideSignal, (decision) => {
    const problem = problemOf(decision);
    if (problem) log.warn('decision signal ignored', { problem, by: decision.by });
    else take(viaSignal(decision));
  });
}
