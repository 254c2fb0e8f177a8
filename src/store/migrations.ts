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

/** Per experiment and arm: the signals folded in so far and where the fold stopped (src/rollout/arm-aggregate-store). */
const ARM_AGGREGATES_SQL = `
  CREATE TABLE arm_aggregates (
    experiment_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    since TEXT NOT NULL,
    name TEXT NOT NULL,
    run_cursor TEXT NOT NULL,
    feedback_cursor TEXT NOT NULL,
    counts TEXT NOT NULL,
    looks INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (experiment_id, version, since)
  );
  CREATE INDEX prompt_runs_by_version_time ON prompt_runs (name, version, created_at);
  CREATE INDEX feedback_by_version_time ON feedback (name, version, created_at)`;

const TOKEN_LIFECYCLE_SQL = `
  ALTER TABLE api_tokens ADD COLUMN token_id TEXT;
  ALTER TABLE api_tokens ADD COLUMN created_by TEXT;
  ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
  ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
  ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
  UPDATE api_tokens SET token_id = {{RANDOM_ID}}, expires_at = {{IN_90_DAYS}} WHERE token_id IS NULL;
  CREATE UNIQUE INDEX api_tokens_by_id ON api_tokens (token_id);
  CREATE TABLE token_revocations (
    seq {{SEQ}},
    token_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    revoked_at TEXT NOT NULL
  )`;

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
    id: 7,
    name: 'arm aggregates: the guard and the A/B check fold new runs and feedback from a cursor',
    sql: {
      sqlite: ARM_AGGREGATES_SQL,
      // PostgreSQL assigns ids out of commit order, so its cursor is the inserting transaction's id: rows
      // whose transaction is older than every running one can no longer appear behind the cursor.
      postgres: `${ARM_AGGREGATES_SQL};
        ALTER TABLE prompt_runs ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
        ALTER TABLE feedback ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
        CREATE INDEX prompt_runs_by_version_tx ON prompt_runs (name, version, tx);
        CREATE INDEX feedback_by_version_tx ON feedback (name, version, tx)`,
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
  {
    id: 9,
    name: 'eval batches: the intent to submit, recorded before the provider sees it, then its batch id',
    sql: `
      CREATE TABLE eval_batches (
        batch_key TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        chunk INTEGER NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        marker TEXT NOT NULL,
        items TEXT NOT NULL,
        created_at TEXT NOT NULL,
        batch_id TEXT,
        found_by TEXT
      );
      CREATE INDEX eval_batches_by_batch_id ON eval_batches (provider, batch_id);`,
  },
  {
    id: 12,
    name: 'rollouts: one experiment (rollout or A/B test) splitting a name at a time',
    // Older duplicates were never served (flag evaluation takes the newest): they are marked superseded
    // so the index can be built. The statuses are SPLITTING in src/rollout/rollout-store.ts.
    sql: `
      UPDATE rollouts SET status = 'superseded', percent = 0
       WHERE status IN ('running', 'paused') AND EXISTS (
         SELECT 1 FROM rollouts newer WHERE newer.name = rollouts.name AND newer.status IN ('running', 'paused')
           AND (newer.started_at > rollouts.started_at
             OR (newer.started_at = rollouts.started_at AND newer.rollout_id > rollouts.rollout_id)));
      CREATE UNIQUE INDEX rollouts_one_splitting_per_name ON rollouts (name) WHERE status IN ('running', 'paused')`,
  },
  {
    id: 13,
    name: 'token lifecycle: public ids, expiry, revocation and its feed, last use',
    // Tokens issued before expiry existed get the default 90 days from now rather than staying valid forever.
    sql: {
      sqlite: TOKEN_LIFECYCLE_SQL.replace('{{SEQ}}', 'INTEGER PRIMARY KEY AUTOINCREMENT')
        .replace('{{RANDOM_ID}}', 'lower(hex(randomblob(6)))')
        .replace('{{IN_90_DAYS}}', "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+90 days')"),
      postgres: TOKEN_LIFECYCLE_SQL.replace('{{SEQ}}', 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY')
        .replace('{{RANDOM_ID}}', 'substr(md5(random()::text || token_hash), 1, 12)')
        .replace(
          '{{IN_90_DAYS}}',
          `to_char((now() + interval '90 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
        ),
    },
  },
  {
    id: 14,
    name: 'optimizer: scored results per candidate, case, sample, models and parameters, paid once',
    // result_key is the sha256 of the identity (see candidateResultKey); the other identity columns are kept
    // for reading a candidate's evidence back and for people inspecting the store.
    sql: `
      CREATE TABLE candidate_results (
        result_key TEXT PRIMARY KEY,
        candidate_hash TEXT NOT NULL,
        case_id TEXT NOT NULL,
        case_hash TEXT NOT NULL,
        sample INTEGER NOT NULL,
        executor TEXT NOT NULL,
        judge TEXT NOT NULL,
        params TEXT NOT NULL,
        run_id TEXT NOT NULL,
        status TEXT NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        judge_score DOUBLE PRECISION,
        output TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        model_tokens INTEGER NOT NULL,
        cost_usd DOUBLE PRECISION NOT NULL,
        assertions TEXT NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX candidate_results_by_case ON candidate_results (candidate_hash, case_id, sample)`,
  },
  {
    id: 16,
    name: 'optimize runs: kind of a tune_runs row, and the evidence behind each chosen candidate version',
    // Optimize runs share tune_runs (status, reconciler, dashboard); kind tells them apart. Evidence rows are keyed
    // by run: a retried finish finds the row it wrote instead of adding a second.
    sql: `
      ALTER TABLE tune_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'tune';
      CREATE TABLE optimize_evidence (
        run_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        evidence_ref TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX optimize_evidence_by_version ON optimize_evidence (name, version, created_at)`,
  },
  {
    id: 17,
    name: 'run outputs and feedback user ids: what a harvested case shows, and per-user rating tendencies',
    sql: `
      ALTER TABLE prompt_runs ADD COLUMN output TEXT;
      ALTER TABLE feedback ADD COLUMN user_id TEXT`,
  },
  {
    id: 18,
    name: 'review queue: harvested cases per prompt or skill, the harvest cursors, per-user feedback tendencies',
    // review_cases keeps reviewed cases for good: their input keys stop the same input being offered again.
    sql: `
      CREATE TABLE harvest_cursors (
        name TEXT PRIMARY KEY,
        run_cursor TEXT NOT NULL,
        feedback_cursor TEXT NOT NULL,
        harvests INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE review_cases (
        case_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        run_id TEXT,
        kind TEXT NOT NULL,
        kinds TEXT NOT NULL,
        input TEXT,
        output TEXT,
        error TEXT,
        correction TEXT,
        feedback TEXT NOT NULL,
        input_key TEXT,
        simhash TEXT,
        duplicates INTEGER NOT NULL,
        status TEXT NOT NULL,
        expected TEXT,
        assertions TEXT,
        reason TEXT,
        reviewer TEXT,
        reviewed_at TEXT,
        dataset TEXT,
        dataset_version INTEGER,
        harvest_id TEXT NOT NULL,
        run_at TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX review_cases_by_status ON review_cases (name, status, created_at);
      CREATE INDEX review_cases_by_run ON review_cases (name, run_id);
      CREATE TABLE feedback_users (
        name TEXT NOT NULL,
        user_id TEXT NOT NULL,
        votes INTEGER NOT NULL,
        thumbs_down INTEGER NOT NULL,
        ratings INTEGER NOT NULL,
        rating_sum INTEGER NOT NULL,
        PRIMARY KEY (name, user_id)
      )`,
  },
  {
    id: 19,
    name: 'file blobs: the bytes of skill files that are not text (fonts, PDFs, archives), by sha256',
    // Beside blobs, not in it: blobs holds text keyed by the hash of that text, and a binary file's bytes may
    // equal some text's UTF-8, so one hash would name two contents.
    sql: {
      sqlite:
        'CREATE TABLE file_blobs (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL, created_at TEXT NOT NULL)',
      postgres:
        'CREATE TABLE file_blobs (hash TEXT PRIMARY KEY, size BIGINT NOT NULL, data BYTEA NOT NULL, created_at TEXT NOT NULL)',
    },
  },
  {
    id: 20,
    name: 'agent execution: every tool call of a skill run, for per-file usage',
    // One row per tool call; a retried run replaces its own rows (keyed by run_key), so usage counts each run once.
    sql: `
      CREATE TABLE skill_tool_calls (
        run_key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        skill TEXT NOT NULL,
        skill_hash TEXT NOT NULL,
        tool TEXT NOT NULL,
        path TEXT,
        outcome TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_key, seq)
      );
      CREATE INDEX skill_tool_calls_by_skill ON skill_tool_calls (skill, path)`,
  },
  {
    id: 21,
    name: 'improve runs: the stored result of each step of a `refinery improve` run',
    // Keyed by run and step: an activity retried after its write returns the result it stored, so a step whose
    // side effect cannot be repeated (publishing the accepted cases) happens once per run.
    sql: `
      CREATE TABLE improve_steps (
        run_id TEXT NOT NULL,
        step TEXT NOT NULL,
        name TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, step)
      )`,
  },
  {
    id: 22,
    name: 'feedback resolutions: the version that fixed a feedback whose case was accepted and shipped',
    // One row per feedback: the first shipped fix is the one its user hears about. notified_at marks the
    // feedback.resolved webhook as delivered, so a retry sends only what is left.
    sql: `
      CREATE TABLE feedback_resolutions (
        feedback_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        case_id TEXT NOT NULL,
        dataset TEXT NOT NULL,
        dataset_version INTEGER NOT NULL,
        improve_run_id TEXT NOT NULL,
        user_id TEXT,
        resolved_at TEXT NOT NULL,
        notified_at TEXT
      );
      CREATE INDEX feedback_resolutions_by_run ON feedback_resolutions (improve_run_id)`,
  },
  {
    id: 23,
    name: 'runs: the model that answered (OTLP GenAI spans carry it)',
    sql: 'ALTER TABLE prompt_runs ADD COLUMN model TEXT',
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
