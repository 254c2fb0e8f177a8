import type { Budget, OptimizeOutcome, ScoreInterval, Spend } from '../optimizer/types';
import { getJson, putJson } from './blobs';
import type { Db, Queryable } from './db';

/**
 * Optimize runs and the evidence behind the versions they make. A run is a tune_runs row of kind 'optimize' (so the
 * reconciler, `refinery status` and the dashboard see it like any tune); its evidence is a JSON blob with one row
 * per run, readable by the version it backs.
 */

export async function createOptimizeRun(
  db: Db,
  run: { runId: string; workflowId: string; name: string; settings: unknown; startedBy: string },
): Promise<void> {
  await db.run(
    `INSERT INTO tune_runs (run_id, workflow_id, skills, status, settings, started_by, started_at, kind)
     VALUES (?, ?, ?, 'running', ?, ?, ?, 'optimize') ON CONFLICT DO NOTHING`,
    [
      run.runId,
      run.workflowId,
      JSON.stringify([run.name]),
      JSON.stringify(run.settings),
      run.startedBy,
      new Date().toISOString(),
    ],
  );
}

/** When the run's row was written (its report's cycle date), or undefined before prepare wrote it. */
export async function optimizeRunStartedAt(db: Queryable, runId: string): Promise<string | undefined> {
  const row = await db.get<{ started_at: string }>(
    "SELECT started_at FROM tune_runs WHERE run_id = ? AND kind = 'optimize'",
    [runId],
  );
  return row?.started_at;
}

/** The evidence linked to a version an optimize run made: what it was chosen on, and what the run cost. */
export interface OptimizeEvidence {
  runId: string;
  name: string;
  version: number;
  hash: string;
  /** The version the run started from (the original). */
  parentVersion: number;
  dataset: { name: string; version: number };
  /** False when the dataset was too small to hold cases out: the scores are on the cases the run learned from. */
  heldOut: boolean;
  validation: { chosen: ScoreInterval; original: ScoreInterval };
  test?: OptimizeOutcome['test'];
  spent: Spend;
  budget: Budget;
  projected: Spend;
  reportRef: string;
  diffRef?: string;
  recordedAt: string;
}

/**
 * Stores the evidence of a run once: a retried finish finds the row the first attempt wrote and returns it
 * unchanged (the first write wins).
 */
export async function recordOptimizeEvidence(db: Db, e: OptimizeEvidence): Promise<OptimizeEvidence> {
  return db.transaction(async (tx) => {
    const stored = await optimizeEvidenceOfRun(tx, e.runId);
    if (stored) return stored;
    const ref = await putJson(tx, e);
    await tx.run(
      `INSERT INTO optimize_evidence (run_id, name, version, evidence_ref, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
      [e.runId, e.name, e.version, ref, e.recordedAt],
    );
    // A concurrent attempt may have won the insert: its row is the one that counts.
    return (await optimizeEvidenceOfRun(tx, e.runId))!;
  });
}

/** The evidence a run recorded, if it made a version. */
export async function optimizeEvidenceOfRun(db: Queryable, runId: string): Promise<OptimizeEvidence | undefined> {
  const row = await db.get<{ evidence_ref: string }>('SELECT evidence_ref FROM optimize_evidence WHERE run_id = ?', [
    runId,
  ]);
  return row ? getJson<OptimizeEvidence>(db, row.evidence_ref) : undefined;
}

/**
 * The evidence behind name@version: the newest run that chose it (a later run may choose the same content again,
 * which maps to the same version), or undefined for a version no optimize run made.
 */
export async function optimizeEvidence(
  db: Queryable,
  name: string,
  version: number,
): Promise<OptimizeEvidence | undefined> {
  const row = await db.get<{ evidence_ref: string }>(
    `SELECT evidence_ref FROM optimize_evidence WHERE name = ? AND version = ?
     ORDER BY created_at DESC, run_id DESC LIMIT 1`,
    [name, version],
  );
  return row ? getJson<OptimizeEvidence>(db, row.evidence_ref) : undefined;
}
