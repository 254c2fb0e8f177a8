import type { EvalCase } from '../eval/types';
import { getJson, putBlob, putJson } from './blobs';
import type { Db, Queryable, SqlValue } from './db';
import { sha256 } from './hash';

/** Datasets (versioned, content-addressed), eval runs, per-case results and the response cache. */

export interface DatasetVersion {
  name: string;
  version: number;
  hash: string;
  target: string | null;
  caseCount: number;
  source: string;
  author: string;
  createdAt: string;
}

interface DatasetRow {
  name: string;
  version: number;
  hash: string;
  target: string | null;
  cases_ref: string;
  case_count: number;
  source: string;
  author: string;
  created_at: string;
}
const toDataset = (r: DatasetRow): DatasetVersion => ({
  name: r.name,
  version: Number(r.version),
  hash: r.hash,
  target: r.target,
  caseCount: Number(r.case_count),
  source: r.source,
  author: r.author,
  createdAt: r.created_at,
});

/**
 * Adds the cases as a new dataset version, or returns the version that already holds them. `scripts` are the
 * sources of its `javascript` assertions (see captureScripts): stored as blobs in the same transaction, and
 * covered by the hash through the cases' `sourceRef`s, so a version is self-contained.
 */
export async function addDatasetVersion(
  db: Db,
  d: { name: string; cases: EvalCase[]; scripts?: string[]; target?: string; source: string; author: string },
): Promise<DatasetVersion & { created: boolean }> {
  const hash = sha256(JSON.stringify(d.cases));
  return db.transaction(async (tx) => {
    // Datasets have no parent row to lock: on PostgreSQL serialise versions of one name by an advisory lock.
    if (db.dialect === 'postgres')
      await tx.get('SELECT pg_advisory_xact_lock(hashtext(CAST(? AS TEXT)))', [`dataset:${d.name}`]);
    for (const source of d.scripts ?? []) await putBlob(tx, source);
    const existing = await tx.get<DatasetRow>('SELECT * FROM datasets WHERE name = ? AND hash = ?', [d.name, hash]);
    if (existing) return { ...toDataset(existing), created: false };
    const latest = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM datasets WHERE name = ?', [
      d.name,
    ]);
    const version = Number(latest?.v ?? 0) + 1;
    const ref = await putJson(tx, d.cases);
    const now = new Date().toISOString();
    await tx.run(
      'INSERT INTO datasets (name, version, hash, target, cases_ref, case_count, source, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [d.name, version, hash, d.target ?? null, ref, d.cases.length, d.source, d.author, now],
    );
    return {
      name: d.name,
      version,
      hash,
      target: d.target ?? null,
      caseCount: d.cases.length,
      source: d.source,
      author: d.author,
      createdAt: now,
      created: true,
    };
  });
}

export async function getDataset(db: Db, name: string, version?: number): Promise<DatasetVersion | undefined> {
  const row =
    version === undefined
      ? await db.get<DatasetRow>('SELECT * FROM datasets WHERE name = ? ORDER BY version DESC LIMIT 1', [name])
      : await db.get<DatasetRow>('SELECT * FROM datasets WHERE name = ? AND version = ?', [name, version]);
  return row ? toDataset(row) : undefined;
}

export async function getDatasetCases(db: Db, name: string, version: number): Promise<EvalCase[]> {
  return getJson<EvalCase[]>(db, await getDatasetCasesRef(db, name, version));
}

/** The content hash of dataset name@version's cases (a blob): equal hashes, equal cases. */
export async function getDatasetCasesRef(db: Db, name: string, version: number): Promise<string> {
  const row = await db.get<{ cases_ref: string }>('SELECT cases_ref FROM datasets WHERE name = ? AND version = ?', [
    name,
    version,
  ]);
  if (!row) throw new Error(`dataset ${name}@${version} is not in the store`);
  return row.cases_ref;
}

export async function listDatasets(db: Db): Promise<DatasetVersion[]> {
  return (await db.all<DatasetRow>('SELECT * FROM datasets ORDER BY name, version')).map(toDataset);
}

/** The dataset a prompt or skill evaluates against by default: the newest one targeting it. */
export async function datasetForTarget(db: Db, target: string): Promise<DatasetVersion | undefined> {
  const row = await db.get<DatasetRow>(
    'SELECT * FROM datasets WHERE target = ? ORDER BY created_at DESC, version DESC LIMIT 1',
    [target],
  );
  return row ? toDataset(row) : undefined;
}

export async function createEvalRun(
  db: Db,
  r: {
    runId: string;
    target: string;
    targetVersion: number;
    dataset: string;
    datasetVersion: number;
    settings: unknown;
  },
): Promise<void> {
  await db.run(
    `INSERT INTO eval_runs (run_id, target, target_version, dataset, dataset_version, status, settings, started_at)
     VALUES (?, ?, ?, ?, ?, 'running', ?, ?)
     ON CONFLICT (run_id) DO UPDATE SET status = 'running', settings = excluded.settings, finished_at = NULL`,
    [
      r.runId,
      r.target,
      r.targetVersion,
      r.dataset,
      r.datasetVersion,
      JSON.stringify(r.settings),
      new Date().toISOString(),
    ],
  );
}

export async function finishEvalRun(
  db: Db,
  runId: string,
  f: { status: string; summary: unknown; gate: unknown; reportRef?: string },
): Promise<void> {
  await db.run(
    'UPDATE eval_runs SET status = ?, summary = ?, gate = ?, report_ref = ?, finished_at = ? WHERE run_id = ?',
    [
      f.status,
      JSON.stringify(f.summary),
      f.gate === undefined ? null : JSON.stringify(f.gate),
      f.reportRef ?? null,
      new Date().toISOString(),
      runId,
    ],
  );
}

/** The latest completed run of target@version on dataset@version, other than excludeRunId. */
export async function latestCompletedRun(
  db: Db,
  q: { target: string; targetVersion: number; dataset: string; datasetVersion: number; excludeRunId: string },
): Promise<string | undefined> {
  const row = await db.get<{ run_id: string }>(
    `SELECT run_id FROM eval_runs WHERE target = ? AND target_version = ? AND dataset = ? AND dataset_version = ?
       AND status = 'completed' AND run_id <> ? ORDER BY finished_at DESC LIMIT 1`,
    [q.target, q.targetVersion, q.dataset, q.datasetVersion, q.excludeRunId],
  );
  return row?.run_id;
}

export interface StoredResult {
  caseId: string;
  sample: number;
  status: 'pass' | 'fail' | 'error';
  score: number;
  judgeScore: number | null;
  output: string;
  latencyMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  cached: boolean;
  assertions: { type: string; pass: boolean; score: number; weight: number; reason: string }[];
  error: string | null;
}

const RESULT_COLUMNS =
  'run_id, case_id, sample, status, score, judge_score, output, latency_ms, input_tokens, output_tokens, cost_usd, cached, assertions, error, created_at';
const resultRow = (runId: string, r: StoredResult, now: string): SqlValue[] => [
  runId,
  r.caseId,
  r.sample,
  r.status,
  r.score,
  r.judgeScore,
  r.output,
  r.latencyMs,
  r.inputTokens,
  r.outputTokens,
  r.costUsd,
  r.cached ? 1 : 0,
  JSON.stringify(r.assertions),
  r.error,
  now,
];

/** Rows per multi-row INSERT: few round trips, few distinct statements, far under either backend's parameter limit. */
const ROWS_PER_INSERT = 100;

/** `INSERT … VALUES (…), (…)` for `rows` rows of `width` columns. */
const valuesList = (rows: number, width: number) =>
  Array.from({ length: rows }, () => `(${Array.from({ length: width }, () => '?').join(', ')})`).join(', ');

/** Inserts rows in multi-row statements of up to ROWS_PER_INSERT rows. */
export async function insertRows(db: Queryable, head: string, tail: string, width: number, rows: SqlValue[][]) {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const part = rows.slice(i, i + ROWS_PER_INSERT);
    await db.run(`${head} VALUES ${valuesList(part.length, width)} ${tail}`, part.flat());
  }
}

export async function putResult(db: Queryable, runId: string, r: StoredResult): Promise<void> {
  await putResults(db, runId, [r]);
}

/** Stores finished samples; one already stored (a retried chunk) keeps its first result. */
export async function putResults(db: Queryable, runId: string, results: readonly StoredResult[]): Promise<void> {
  const now = new Date().toISOString();
  await insertRows(
    db,
    `INSERT INTO eval_results (${RESULT_COLUMNS})`,
    'ON CONFLICT (run_id, case_id, sample) DO NOTHING',
    15,
    results.map((r) => resultRow(runId, r, now)),
  );
}

export async function getResults(db: Db, runId: string): Promise<StoredResult[]> {
  const rows = await db.all<Record<string, unknown>>(
    'SELECT * FROM eval_results WHERE run_id = ? ORDER BY case_id, sample',
    [runId],
  );
  return rows.map((r) => ({
    caseId: String(r.case_id),
    sample: Number(r.sample),
    status: r.status as StoredResult['status'],
    score: Number(r.score),
    judgeScore: r.judge_score === null ? null : Number(r.judge_score),
    output: String(r.output),
    latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    costUsd: Number(r.cost_usd),
    cached: Number(r.cached) === 1,
    assertions: JSON.parse(String(r.assertions)) as StoredResult['assertions'],
    error: typeof r.error === 'string' ? r.error : null,
  }));
}

/**
 * Samples already evaluated in this run (`caseId#sample`): a resumed chunk skips them. `caseIds` narrows the look
 * to one chunk's cases, so each chunk reads its own rows rather than the whole run's.
 */
export async function doneSamples(db: Db, runId: string, caseIds?: readonly string[]): Promise<Set<string>> {
  const rows: { case_id: string; sample: number }[] = [];
  if (caseIds === undefined)
    rows.push(
      ...(await db.all<(typeof rows)[number]>('SELECT case_id, sample FROM eval_results WHERE run_id = ?', [runId])),
    );
  else
    for (let i = 0; i < caseIds.length; i += ROWS_PER_INSERT) {
      const ids = caseIds.slice(i, i + ROWS_PER_INSERT);
      rows.push(
        ...(await db.all<(typeof rows)[number]>(
          `SELECT case_id, sample FROM eval_results WHERE run_id = ? AND case_id IN (${ids.map(() => '?').join(', ')})`,
          [runId, ...ids],
        )),
      );
    }
  return new Set(rows.map((r) => `${r.case_id}#${Number(r.sample)}`));
}

export async function spentUsd(db: Db, runId: string): Promise<number> {
  const row = await db.get<{ c: number | null }>('SELECT SUM(cost_usd) AS c FROM eval_results WHERE run_id = ?', [
    runId,
  ]);
  return Number(row?.c ?? 0);
}

export async function getCachedResponse(
  db: Db,
  key: string,
): Promise<{ text: string; inputTokens: number; outputTokens: number } | undefined> {
  const row = await db.get<{ text: string; input_tokens: number; output_tokens: number }>(
    'SELECT * FROM response_cache WHERE cache_key = ?',
    [key],
  );
  return row
    ? { text: row.text, inputTokens: Number(row.input_tokens), outputTokens: Number(row.output_tokens) }
    : undefined;
}

export interface CachedResponse {
  text: string;
  inputTokens: number;
  outputTokens: number;
}

export async function putCachedResponse(db: Queryable, key: string, r: CachedResponse): Promise<void> {
  await putCachedResponses(db, [{ key, ...r }]);
}

/** Stores answers in the response cache; a key already cached keeps its first answer. */
export async function putCachedResponses(
  db: Queryable,
  entries: readonly (CachedResponse & { key: string })[],
): Promise<void> {
  const now = new Date().toISOString();
  // One row per key (the first answer wins, as across statements), in key order, so two writers inserting
  // overlapping keys on PostgreSQL lock them in the same order.
  const first = new Map<string, (typeof entries)[number]>();
  for (const e of entries) if (!first.has(e.key)) first.set(e.key, e);
  const sorted = [...first.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  await insertRows(
    db,
    'INSERT INTO response_cache (cache_key, text, input_tokens, output_tokens, created_at)',
    'ON CONFLICT DO NOTHING',
    5,
    sorted.map((e) => [e.key, e.text, e.inputTokens, e.outputTokens, now]),
  );
}

/** Why a stored result did not pass: its error, or its failing assertions with their reasons. */
export function failureReason(r: StoredResult): string {
  return (
    r.error ??
    r.assertions
      .filter((a) => !a.pass)
      .map((a) => `${a.type}: ${a.reason}`)
      .join('; ')
  );
}
