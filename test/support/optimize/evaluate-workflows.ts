import { proxyActivities } from '@temporalio/workflow';
import type { EvaluateCandidateInput } from '../../../src/optimizer/activity-types';
import type { EvaluateResponse } from '../../../src/optimizer/types';

/**
 * Test-only workflows (bundled by evaluate-worker.ts): the optimizer's evaluate activity alone, under the timeouts
 * and retries a test asks for, so a test can cut an attempt or kill its worker and watch the retry.
 */
export interface EvaluateOnlyOptions {
  startToCloseTimeoutMs: number;
  heartbeatTimeoutMs: number;
  maximumAttempts: number;
}

type Activities = { evaluateCandidate(input: EvaluateCandidateInput): Promise<EvaluateResponse> };

export async function evaluateOnlyWorkflow(
  input: EvaluateCandidateInput,
  options: EvaluateOnlyOptions,
): Promise<EvaluateResponse> {
  const { evaluateCandidate } = proxyActivities<Activities>({
    startToCloseTimeout: options.startToCloseTimeoutMs,
    heartbeatTimeout: options.heartbeatTimeoutMs,
    retry: { initialInterval: 100, backoffCoefficient: 1, maximumAttempts: options.maximumAttempts },
  });
  return evaluateCandidate(input);
}
