import type { Db } from './db';

/**
 * Ordered, append-only schema migrations in the SQL both backends accept. Never edit a shipped
 * migration: add a new one.
 */
const LIBRARY_SQL = `
  CREATE TABLE blobs (
    hash TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE library_items (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    contributors TEXT NOT NULL,
    consumers TEXT NOT NULL,
    tags TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE library_versions (
    name TEXT NOT NULL REFERENCES library_items(name),
    version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    content_ref TEXT NOT NULL REFERENCES blobs(hash),
    parent_version INTEGER,
    rationale TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (name, version),
    UNIQUE (name, hash)
  );
  CREATE TABLE labels (
    name TEXT NOT NULL REFERENCES library_items(name),
    label TEXT NOT NULL,
    version INTEGER NOT NULL,
    moved_at TEXT NOT NULL,
    PRIMARY KEY (name, label)
  );
  CREATE TABLE label_moves (
    seq {{SEQ}},
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    from_version INTEGER,
    to_version INTEGER NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    moved_at TEXT NOT NULL
  );
  CREATE INDEX label_moves_by_name ON label_moves (name, label, seq);
  CREATE TABLE prompt_runs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    unit_id TEXT,
    latency_ms INTEGER,
    input_tokens INTEGER,
    output_tokens INTEGER,
    error TEXT,
    format_ok INTEGER,
    corrected INTEGER NOT NULL,
    regenerated INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX prompt_runs_by_version ON prompt_runs (name, version);
  CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    run_id TEXT,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    thumbs INTEGER,
    rating INTEGER,
    correction TEXT,
    comment TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX feedback_by_version ON feedback (name, version);
  CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
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
    best_score DOUBLE PRECISION,
    assertiveness DOUBLE PRECISION,
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
    score DOUBLE PRECISION,
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
    cost_usd DOUBLE PRECISION NOT NULL,
    latency_ms INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE step_results (
    step_key TEXT PRIMARY KEY,
    result TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`;

const ROLLOUT_EVENTS_SQL = `
  CREATE TABLE rollout_events (
    seq {{SEQ}},
    rollout_id TEXT NOT NULL,
    event_index INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX rollout_events_once ON rollout_events (rollout_id, event_index)`;

const CALENDAR_SQL = `
  CREATE TABLE alerts (
    alert_id TEXT PRIMARY KEY,
    dedupe_key TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    signal TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    baseline DOUBLE PRECISION,
    current_value DOUBLE PRECISION,
    z DOUBLE PRECISION,
    samples INTEGER,
    opened_at TEXT NOT NULL,
    escalated_at TEXT,
    escalation_reason TEXT,
    updated_at TEXT NOT NULL,
    owner TEXT,
    resolution TEXT,
    note TEXT,
    resolved_by TEXT,
    resolved_at TEXT
  );
  CREATE UNIQUE INDEX alerts_one_open_per_key ON alerts (dedupe_key) WHERE status <> 'resolved';
  CREATE INDEX alerts_by_name ON alerts (name, opened_at);
  CREATE TABLE incidents (
    seq {{SEQ}},
    alert_id TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    signal TEXT NOT NULL,
    detail TEXT NOT NULL,
    opened_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX incidents_once_per_alert ON incidents (alert_id);
  CREATE TABLE alert_policies (
    name TEXT PRIMARY KEY,
    policy TEXT NOT NULL,
    reason TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE post_run_evals (
    id TEXT PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    effective INTEGER NOT NULL,
    better TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX post_run_evals_by_subject ON post_run_evals (subject_kind, subject_id);
  CREATE TABLE calendar_runs (
    run_id TEXT PRIMARY KEY,
    period TEXT NOT NULL,
    as_of TEXT NOT NULL,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    report_ref TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX calendar_runs_by_period ON calendar_runs (period, as_of);
  ALTER TABLE prompt_runs ADD COLUMN input TEXT;
  CREATE INDEX prompt_runs_by_time ON prompt_runs (created_at)`;

/** SQL in both dialects' common subset, or per dialect where they differ (identity columns). */
export type MigrationSql = string | { sqlite: string; postgres: string };

export const migrations: { id: number; name: string; sql: MigrationSql }[] = [
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
    name: 'library: items, versions, labels and their audit; blobs; tune runs',
    sql: {
      sqlite: LIBRARY_SQL.replace('{{SEQ}}', 'INTEGER PRIMARY KEY AUTOINCREMENT'),
      postgres: LIBRARY_SQL.replace('{{SEQ}}', 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'),
    },
  },
  {
    id: 3,
    name: 'evaluation: datasets, eval runs, case results, response cache',
    sql: `
      CREATE TABLE datasets (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        hash TEXT NOT NULL,
        target TEXT,
        cases_ref TEXT NOT NULL REFERENCES blobs(hash),
        case_count INTEGER NOT NULL,
        source TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (name, version),
        UNIQUE (name, hash)
      );
      CREATE TABLE eval_runs (
        run_id TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        target_version INTEGER NOT NULL,
        dataset TEXT NOT NULL,
        dataset_version INTEGER NOT NULL,
        status TEXT NOT NULL,
        settings TEXT NOT NULL,
        summary TEXT,
        gate TEXT,
        report_ref TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX eval_runs_by_target ON eval_runs (target, target_version, dataset, dataset_version);
      CREATE TABLE eval_results (
        run_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        sample INTEGER NOT NULL,
        status TEXT NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        judge_score DOUBLE PRECISION,
        output TEXT NOT NULL,
        latency_ms INTEGER,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd DOUBLE PRECISION NOT NULL,
        cached INTEGER NOT NULL,
        assertions TEXT NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, case_id, sample)
      );
      CREATE TABLE response_cache (
        cache_key TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        created_at TEXT NOT NULL
      )`,
  },
  {
    id: 4,
    name: 'rollouts: canary share per name with a sticky salt',
    sql: `
      CREATE TABLE rollouts (
        rollout_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        control_version INTEGER NOT NULL,
        candidate_version INTEGER NOT NULL,
        percent DOUBLE PRECISION NOT NULL,
        salt TEXT NOT NULL,
        status TEXT NOT NULL,
        step INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX rollouts_by_name ON rollouts (name, status)`,
  },
  {
    id: 5,
    name: 'rollout events: the evidence trail of each rollout',
    sql: {
      sqlite: ROLLOUT_EVENTS_SQL.replace('{{SEQ}}', 'INTEGER PRIMARY KEY AUTOINCREMENT'),
      postgres: ROLLOUT_EVENTS_SQL.replace('{{SEQ}}', 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'),
    },
  },
  {
    id: 6,
    name: 'improvement calendar: alerts, incidents, alert policies, post-run evals, calendar runs, run inputs',
    sql: {
      sqlite: CALENDAR_SQL.replace('{{SEQ}}', 'INTEGER PRIMARY KEY AUTOINCREMENT'),
      postgres: CALENDAR_SQL.replace('{{SEQ}}', 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'),
    },
  },
  {
    id: 8,
    name: 'store identity: one row naming this store, written once, carried by every run started against it',
    sql: `
      CREATE TABLE store_identity (
        singleton INTEGER PRIMARY KEY,
        store_id TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
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
      const sql = typeof m.sql === 'string' ? m.sql : m.sql[db.dialect];
      for (const statement of sql
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
