import { ApplicationFailure } from '@temporalio/common';
import { buildRolloutInput, rolloutWorkflowId, RolloutRequestError } from '../../rollout/start';
import type { RolloutInput } from '../../rollout/types';
import type { Db } from '../../store/db';

/**
 * The rollout input for an optimizer's chosen version (`--then-rollout`), checked like a person's request: the gate
 * runs on the dataset the candidate was tuned on, approvers are the item's owner and REFINERY_ADMINS. A request the
 * rollout refuses (another experiment of the item runs) fails for good: the workflow records why and goes on.
 */
export function buildCandidateRolloutActivity(db: Db, admins: string[]) {
  return async function buildCandidateRollout(p: {
    name: string;
    version: number;
    dataset: { name: string; version: number };
    startedBy: string;
  }): Promise<{ workflowId: string; input: RolloutInput }> {
    try {
      const input = await buildRolloutInput(db, {
        name: p.name,
        version: p.version,
        dataset: p.dataset,
        startedBy: p.startedBy,
        admins,
      });
      return { workflowId: rolloutWorkflowId(p.name), input };
    } catch (err) {
      if (err instanceof RolloutRequestError)
        throw ApplicationFailure.create({ type: 'RolloutRefused', message: err.message, nonRetryable: true });
      throw err;
    }
  };
}
