import { WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import type { Db } from '../store/db';
import { closeOpenRun, openRuns, type OpenRun } from '../store/open-runs';

/**
 * The reconciler: a tune or eval workflow that ends as a workflow (failed, terminated, timed out,
 * cancelled) never runs its own final store write, so its row would say `running` for ever and the
 * dashboard and /metrics would never count it. This closes such rows from what Temporal knows. Workers
 * run it periodically and `refinery status`/`list` before they answer; every write is compare-and-set on
 * the row still being open, so any number of them may run at once.
 */

/** How each closed workflow status lands in the store; running and completed runs are left alone. */
const CLOSED_AS: Partial<Record<WorkflowExecutionStatusName, { status: 'failed' | 'cancelled'; reason: string }>> = {
  FAILED: { status: 'failed', reason: 'workflow-failed' },
  TERMINATED: { status: 'failed', reason: 'workflow-terminated' },
  TIMED_OUT: { status: 'failed', reason: 'workflow-timed-out' },
  CANCELLED: { status: 'cancelled', reason: 'workflow-cancelled' },
};

export interface ReconciledRun extends OpenRun {
  status: 'failed' | 'cancelled';
  reason: string;
}

/** Ids per visibility query: keeps each query string well under the server's length limit. */
const IDS_PER_QUERY = 50;

export async function reconcileRuns(client: Client, db: Db, opts: { limit?: number } = {}): Promise<ReconciledRun[]> {
  const open = await openRuns(db, opts.limit ?? 500);
  if (open.length === 0) return [];
  // Visibility names the open rows whose workflow closed badly, a few queries for the lot; ids with a quote
  // cannot be put in a query and are described one by one instead.
  const quotable = open.filter((r) => !/['"\\]/.test(r.workflowId));
  const suspects = new Set(open.filter((r) => !quotable.includes(r)).map((r) => r.workflowId));
  for (let i = 0; i < quotable.length; i += IDS_PER_QUERY) {
    const ids = quotable.slice(i, i + IDS_PER_QUERY).map((r) => `'${r.workflowId}'`);
    const query = `ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut', 'Canceled') AND WorkflowId IN (${ids.join(', ')})`;
    for await (const wf of client.workflow.list({ query })) suspects.add(wf.workflowId);
  }
  const closed: ReconciledRun[] = [];
  for (const run of open) {
    if (!suspects.has(run.workflowId)) continue;
    // Visibility may name an earlier run of a reused id (an eval resumed): the latest run decides.
    let statusName: WorkflowExecutionStatusName;
    try {
      statusName = (await client.workflow.getHandle(run.workflowId).describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) continue;
      throw err;
    }
    const to = CLOSED_AS[statusName];
    if (to && (await closeOpenRun(db, run, to.status, to.reason))) closed.push({ ...run, ...to });
  }
  return closed;
}

/**
 * Runs the reconciler every intervalMs until stopped (a worker's background duty); a pass still going
 * delays the next rather than overlapping it, and a failed pass is reported and retried next time.
 */
export function reconcileEvery(
  client: Client,
  db: Db,
  intervalMs: number,
  onError: (err: unknown) => void,
): { stop(): Promise<void> } {
  let pass: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    pass = reconcileRuns(client, db)
      .catch(onError)
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await pass;
    },
  };
}
