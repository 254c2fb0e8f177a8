import type { Client } from '@temporalio/client';

const TASK_QUEUE_TYPE_WORKFLOW = 1;
/** A long poll lasts about a minute before the worker polls again, so a live worker is seen within ~70 s. */
const MAX_IDLE_SECONDS = 150;

/**
 * Whether Temporal has seen a worker poll taskQueue's workflow tasks recently. Temporal keeps a gone
 * worker listed for a few minutes, so true means "probably": callers still bound what they ask of it.
 */
export async function workerPolling(client: Client, taskQueue: string): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
  });
  const now = Date.now() / 1000;
  return (res.pollers ?? []).some((p) => {
    const seen = p.lastAccessTime?.seconds;
    return seen != null && now - Number(seen) <= MAX_IDLE_SECONDS;
  });
}
