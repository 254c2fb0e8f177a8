import type { Queryable } from '../../store/db';

/** The reads and writes of the monthly golden re-run and recalibration beyond the alert and eval stores. */

/** The run id of a regression tune of these skills the actor started and that is still open, other than workflowId. */
export async function openRegressionTune(
  db: Queryable,
  actor: string,
  skills: string[],
  workflowId: string,
): Promise<string | undefined> {
  const open = await db.get<{ run_id: string }>(
    `SELECT run_id FROM tune_runs WHERE started_by = ? AND skills = ? AND status IN ('running', 'awaiting-decision')
             AND run_id <> ?`,
    [actor, JSON.stringify(skills), workflowId],
  );
  return open?.run_id;
}

/** A recalibration already applied under stepKey (a retried activity returns it instead of widening twice). */
export async function storedRecalibration<T>(db: Queryable, stepKey: string): Promise<T | undefined> {
  const done = await db.get<{ result: string }>('SELECT result FROM step_results WHERE step_key = ?', [stepKey]);
  return done ? (JSON.parse(done.result) as T) : undefined;
}

/** Records the recalibration's decisions under stepKey, in the transaction that applied them. */
export async function recordRecalibration(tx: Queryable, stepKey: string, decisions: unknown): Promise<void> {
  await tx.run('INSERT INTO step_results (step_key, result, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
    stepKey,
    JSON.stringify(decisions),
    new Date().toISOString(),
  ]);
}

/** When each prompt's alert policy last changed. */
export async function alertPolicyChangedAt(db: Queryable): Promise<Map<string, string>> {
  return new Map(
    (await db.all<{ name: string; updated_at: string }>('SELECT name, updated_at FROM alert_policies')).map(
      (r) => [r.name, String(r.updated_at)] as const,
    ),
  );
}

/** A prompt's stored policy overrides only (what differs from the default), or {} without a row. */
export async function storedPolicyOverrides(tx: Queryable, name: string): Promise<Record<string, unknown>> {
  const row = await tx.get<{ policy: string }>('SELECT policy FROM alert_policies WHERE name = ?', [name]);
  return row ? (JSON.parse(row.policy) as Record<string, unknown>) : {};
}

/** Replaces a prompt's stored policy overrides, saying why and who. */
export async function saveRecalibratedPolicy(
  tx: Queryable,
  name: string,
  policy: Record<string, unknown>,
  reason: string,
  updatedBy: string,
): Promise<void> {
  await tx.run(
    `INSERT INTO alert_policies (name, policy, reason, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET policy = excluded.policy, reason = excluded.reason,
               updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [name, JSON.stringify(policy), reason, updatedBy, new Date().toISOString()],
  );
}
