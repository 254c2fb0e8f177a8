import type { Db } from './db';

/**
 * What the store knows of one tune run, for `refinery status` when no worker can answer the run's status
 * query: the row and its iteration scores.
 */
export interface TuneRunRecord {
  runId: string;
  workflowId: string;
  skills: string[];
  status: string;
  termination: string | null;
  bestScore: number | null;
  startedAt: string;
  finishedAt: string | null;
  /** Scores of the finished iterations in order (null for a failed iteration). */
  scores: (number | null)[];
}

/** The run stored under workflowId (tune run ids are their workflow ids), or undefined before it wrote one. */
export async function tuneRunRecord(db: Db, workflowId: string): Promise<TuneRunRecord | undefined> {
  const row = await db.get<{
    run_id: string;
    workflow_id: string;
    skills: string;
    status: string;
    termination: string | null;
    best_score: number | null;
    started_at: string;
    finished_at: string | null;
  }>(
    `SELECT run_id, workflow_id, skills, status, termination, best_score, started_at, finished_at
     FROM tune_runs WHERE workflow_id = ? ORDER BY started_at DESC LIMIT 1`,
    [workflowId],
  );
  if (!row) return undefined;
  const iterations = await db.all<{ score: number | null }>(
    'SELECT score FROM tune_iterations WHERE run_id = ? ORDER BY iteration',
    [row.run_id],
  );
  return {
    runId: row.run_id,
    workflowId: row.workflow_id,
    skills: JSON.parse(row.skills) as string[],
    status: row.status,
    termination: row.termination,
    bestScore: row.best_score,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    scores: iterations.map((i) => i.score),
  };
}
