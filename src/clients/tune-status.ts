import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { OptimizeStatus } from '../optimizer/types';
import type { Db } from '../store/db';
import { tuneRunRecord, type TuneRunRecord } from '../store/tune-run-record';
import { workerPolling } from '../temporal/pollers';
import { QUERY_TIMEOUT_MS, queryWithin } from './query-within';
import type { TuneStatus } from '../tune/types';

/** No run has the id asked for; the CLI turns it into a bad-input exit, the MCP server into a tool error. */
export class UnknownRunError extends Error {}

export type StatusAnswer =
  | { source: 'workflow'; status: TuneStatus | OptimizeStatus }
  | {
      source: 'store';
      /** Why the workflow itself did not answer (no worker polling, or none answering in time). */
      reason: string;
      temporalStatus: string;
      taskQueue: string;
      /** Undefined until the run's first activity wrote its row. */
      store?: TuneRunRecord;
    };

/**
 * The run's own status query when a worker can answer it; else what the store and Temporal's visibility
 * know, so status works exactly when workers are down.
 */
export async function statusOf(client: Client, db: Db, id: string): Promise<StatusAnswer> {
  const handle = client.workflow.getHandle(id);
  let desc;
  try {
    desc = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new UnknownRunError(`no tune run with id ${id}: check the id with \`refinery list\``);
    throw err;
  }
  if (desc.status.name === 'COMPLETED')
    return { source: 'workflow', status: (await handle.result()) as TuneStatus | OptimizeStatus };
  let reason = `no worker is polling task queue "${desc.taskQueue}"`;
  if (await workerPolling(client, desc.taskQueue).catch(() => false)) {
    const status = await queryWithin<TuneStatus | OptimizeStatus>(client, id, 'status');
    if (status) return { source: 'workflow', status };
    reason = `no worker on task queue "${desc.taskQueue}" answered the status query within ${QUERY_TIMEOUT_MS / 1000} s`;
  }
  return {
    source: 'store',
    reason,
    temporalStatus: desc.status.name,
    taskQueue: desc.taskQueue,
    store: await tuneRunRecord(db, id),
  };
}
