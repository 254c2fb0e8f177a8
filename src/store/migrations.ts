import type { Db } from './db';

/**
 * Ordered, append-only schema migrations in the SQL both backends accept. Never edit a shipped
 * migration: add a new one.
 */
export const migrations: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'side effects ledger',
    sql: `
      CREATE TABLE side_effects (
        effect_key TEXT PRIMARY KEY,
        payload TEXT NOT NULL,
        applied_at TEXT NOT NULL
      );
      CREATE TABLE activity_attempts (
        effect_key TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        worker_pid INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        PRIMARY KEY (effect_key, attempt)
      );`,
  },
  {
    id: 2,
    name: 'skills, versions, blobs, tune runs',
    sql: `
      CREATE TABLE blobs (
        hash TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        content TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE skills (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
      );
      CREATE TABLE skill_versions (
        skill TEXT NOT NULL REFERENCES skills(name),
        version_no INTEGER NOT NULL,
        hash TEXT NOT NULL,
        files_ref TEXT NOT NULL REFERENCES blobs(hash),
        parent_hash TEXT,
        rationale TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (skill, hash),
        UNIQUE (skill, version_no)
      );
      CREATE TABLE tune_runs (
        run_id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        skills TEXT NOT NULL,
        status TEXT NOT NULL,
        settings TEXT NOT NULL,
        started_by TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        termination TEXT,
        best_score REAL,
        assertiveness REAL,
        report_ref TEXT
      );
      CREATE TABLE tune_snapshots (
        run_id TEXT NOT NULL,
        iteration INTEGER NOT NULL,
        skill TEXT NOT NULL,
        version_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, iteration, skill)
      );
      CREATE TABLE tune_iterations (
        run_id TEXT NOT NULL,
        iteration INTEGER NOT NULL,
        score REAL,
        record TEXT NOT NULL,
        PRIMARY KEY (run_id, iteration)
      );
      CREATE TABLE tune_weaknesses (
        run_id TEXT NOT NULL,
        skill TEXT NOT NULL,
        category TEXT NOT NULL,
        PRIMARY KEY (run_id, skill, category)
      );
      CREATE TABLE provider_calls (
        call_key TEXT PRIMARY KEY,
        run_id TEXT,
        phase TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        latency_ms INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE step_results (
        step_key TEXT PRIMARY KEY,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL
      );`,
  },
];

export async function migrate(db: Db): Promise<void> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  for (const m of migrations) {
    await db.transaction(async (tx) => {
      const done = await tx.get('SELECT id FROM schema_migrations WHERE id = ?', [m.id]);
      if (done) return;
      for (const statement of m.sql
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)) {
        await tx.run(statement);
      }
      await tx.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [
        m.id,
        m.name,
        new Date().toISOString(),
      ]);
    });
  }
}
