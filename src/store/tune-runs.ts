import type { Db } from './db';

/** Tune runs and their iterations: the durable record behind status, reports and recurring issues. */

export async function createTuneRun(
  db: Db,
  run: { runId: string; workflowId: string; skills: string[]; settings: unknown; startedBy: string },
): Promise<void> {
  await db.run(
    `INSERT INTO tune_runs (run_id, workflow_id, skills, status, settings, started_by, started_at)
     VALUES (?, ?, ?, 'running', ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      run.runId,
      run.workflowId,
      JSON.stringify(run.skills),
      JSON.stringify(run.settings),
      run.startedBy,
      new Date().toISOString(),
    ],
  );
}

/** One snapshot per run, iteration and skill: the first write wins, retries are no-ops. */
export async function recordSnapshot(
  db: Db,
  runId: string,
  iteration: number,
  skill: string,
  hash: string,
): Promise<string> {
  await db.run(
    `INSERT INTO tune_snapshots (run_id, iteration, skill, version_hash, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
    [runId, iteration, skill, hash, new Date().toISOString()],
  );
  const row = await db.get<{ version_hash: string }>(
    'SELECT version_hash FROM tune_snapshots WHERE run_id = ? AND iteration = ? AND skill = ?',
    [runId, iteration, skill],
  );
  return row!.version_hash;
}

export async function recordIteration(
  db: Db,
  runId: string,
  iteration: number,
  score: number | null,
  record: unknown,
): Promise<void> {
  await db.run(
    `INSERT INTO tune_iterations (run_id, iteration, score, record) VALUES (?, ?, ?, ?)
     ON CONFLICT (run_id, iteration) DO UPDATE SET score = excluded.score, record = excluded.record`,
    [runId, iteration, score, JSON.stringify(record)],
  );
}

/** A run's iteration records in order, as recordIteration stored them. */
export async function listIterationRecords<T>(db: Db, runId: string): Promise<T[]> {
  const rows = await db.all<{ record: string }>(
    'SELECT record FROM tune_iterations WHERE run_id = ? ORDER BY iteration',
    [runId],
  );
  return rows.map((r) => JSON.parse(r.record) as T);
}

/** When a tune run started (ISO time), or undefined for a run the store does not know. */
export async function tuneRunStartedAt(db: Db, runId: string): Promise<string | undefined> {
  const run = await db.get<{ started_at: string }>('SELECT started_at FROM tune_runs WHERE run_id = ?', [runId]);
  return run?.started_at;
}

export async function recordWeaknesses(db: Db, runId: string, skill: string, categories: string[]): Promise<void> {
  for (const category of new Set(categories)) {
    await db.run('INSERT INTO tune_weaknesses (run_id, skill, category) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
      runId,
      skill,
      category,
    ]);
  }
}

/** Weakness categories of each earlier run of skill (oldest first), excluding runId. */
export async function earlierRunCategories(db: Db, skill: string, runId: string): Promise<string[][]> {
  const rows = await db.all<{ run_id: string; category: string }>(
    `SELECT w.run_id, w.category FROM tune_weaknesses w JOIN tune_runs r ON r.run_id = w.run_id
     WHERE w.skill = ? AND w.run_id <> ? ORDER BY r.started_at, w.run_id`,
    [skill, runId],
  );
  const byRun = new Map<string, string[]>();
  for (const r of rows) byRun.set(r.run_id, [...(byRun.get(r.run_id) ?? []), r.category]);
  return [...byRun.values()];
}

export async function finishTuneRun(
  db: Db,
  runId: string,
  f: { status: string; termination?: string; bestScore?: number; assertiveness?: number; reportRef?: string },
): Promise<void> {
  await db.run(
    `UPDATE tune_runs SET status = ?, termination = ?, best_score = ?, assertiveness = ?, report_ref = ?, finished_at = ?
     WHERE run_id = ?`,
    [
      f.status,
      f.termination ?? null,
      f.bestScore ?? null,
      f.assertiveness ?? null,
      f.reportRef ?? null,
      new Date().toISOString(),
      runId,
    ],
  );
}

export async function setTuneRunStatus(db: Db, runId: string, status: string): Promise<void> {
  await db.run('UPDATE tune_runs SET status = ? WHERE run_id = ?', [status, runId]);
}

export async function recordProviderCall(
  db: Db,
  call: {
    key: string;
    runId?: string;
    phase: string;
    provider: string;
    model: string;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    latencyMs: number;
  },
): Promise<void> {
  await db.run(
    `INSERT INTO provider_calls (call_key, run_id, phase, provider, model, input_tokens, output_tokens, cost_usd, latency_ms, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      call.key,
      call.runId ?? null,
      call.phase,
      call.provider,
      call.model,
      call.inputTokens,
      call.outputTokens,
      call.costUsd,
      Math.round(call.latencyMs),
      new Date().toISOString(),
    ],
  );
}

/**
 * Completed activity steps by key (run + iteration + phase + skill). A step retried after its worker
 * died once it had finished returns the stored result instead of calling the provider again.
 */
export async function getStepResult<T>(db: Db, key: string): Promise<T | undefined> {
  const row = await db.get<{ result: string }>('SELECT result FROM step_results WHERE step_key = ?', [key]);
  return row ? (JSON.parse(row.result) as T) : undefined;
}

export async function putStepResult(db: Db, key: string, result: unknown): Promise<void> {
  await db.run('INSERT INTO step_results (step_key, result, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
    key,
    JSON.stringify(result),
    new Date().toISOString(),
  ]);
}
