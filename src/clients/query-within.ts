import type { Client } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

/**
 * How long a client waits for a run to answer a query: a worker answers in milliseconds; a run whose worker is
 * down never does, and the caller goes on without its answer (or answers from the store).
 */
export const QUERY_TIMEOUT_MS = 5000;

/** The run's answer to query, or undefined when it does not answer within QUERY_TIMEOUT_MS (no worker) or fails. */
export async function queryWithin<R>(
  client: Client,
  workflowId: string,
  query: QueryDefinition<R, []> | string,
): Promise<R | undefined> {
  return client
    .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => client.workflow.getHandle(workflowId).query<R, []>(query))
    .catch(() => undefined);
}
