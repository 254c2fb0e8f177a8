import type { Db } from './db';

/**
 * The tune and eval rows still marked as going, and the write that closes one whose workflow ended without
 * recording it (failed, terminated, timed out): the reconciler's two store calls.
 */

export type RunKind = 'tune' | 'eval';

export interface OpenRun {
  kind: RunKind;
  runId: string;
  workflowId: string;
}

/** Statuses a row keeps while its workflow is alive. */
const OPEN_TUNE = `status IN ('running', 'awaiting-decision')`;

/** Open rows, oldest first, at most limit. Eval run ids are their workflow ids. */
export async function openRuns(db: Db, limit: number): Promise<OpenRun[]> {
  const rows = await db.all<{ kind: RunKind; run_id: string; workflow_id: string }>(
    `SELECT kind, run_id, workflow_id FROM (
       SELECT 'tune' AS kind, run_id, workflow_id, started_at FROM tune_runs WHERE ${OPEN_TUNE}
       UNION ALL SELECT 'eval' AS kind, run_id, run_id AS workflow_id, started_at FROM eval_runs WHERE status = 'running'
     ) open_runs ORDER BY started_at, run_id LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({ kind: r.kind, runId: r.run_id, workflowId: r.workflow_id }));
}

/**
 * Closes an open row as `status` (failed, cancelled) with why, only while it is still open: a second
 * reconciler, or the workflow's own late write, is never overwritten. True when this call closed it.
 */
export async function closeOpenRun(
  db: Db,
  run: { kind: RunKind; runId: string },
  status: 'failed' | 'cancelled',
  /** Stored as the tune's termination (e.g. workflow-terminated). */
  reason: string,
): Promise<boolean> {
  const now = new Date().toISOString();
  const result =
    run.kind === 'tune'
      ? await db.run(
          `UPDATE tune_runs SET status = ?, termination = ?, finished_at = ? WHERE run_id = ? AND ${OPEN_TUNE}`,
          [status, reason, now, run.runId],
        )
      : await db.run(
          // eval_runs has no column for why: the workflow's history in Temporal keeps it.
          `UPDATE eval_runs SET status = ?, finished_at = ? WHERE run_id = ? AND status = 'running'`,
          [status, now, run.runId],
        );
  return result.changes > 0;
}
