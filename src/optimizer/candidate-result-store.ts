import type { EvalCase } from '../eval/types';
import type { Db, Queryable } from '../store/db';
import { insertRows, type StoredResult } from '../store/evals';
import { sha256 } from '../store/hash';
import type { CaseEvidence, EvalModels } from './activity-types';

/**
 * The optimizer's scored results, stored once per (candidate, case, sample, models, parameters): whichever run,
 * attempt or worker evaluates that combination again reads the stored result instead of paying for it.
 */

/** What makes two results the same result. */
export interface CandidateResultIdentity {
  /** The candidate's content hash. */
  candidateHash: string;
  caseId: string;
  /** The case's own content: a case edited under the same id (a new dataset version) is another case. */
  caseHash: string;
  sample: number;
  /** provider:model of the model under test and of the rubric judge. */
  executor: string;
  judge: string;
  /** The request parameters that change an answer (the output cap). */
  params: string;
}

export interface CandidateResult extends CandidateResultIdentity {
  /** candidateResultKey of the identity. */
  key: string;
  /** The run that paid for it. */
  runId: string;
  status: StoredResult['status'];
  score: number;
  judgeScore: number | null;
  /** As the eval engine stores it (truncated there). */
  output: string;
  /** Executor and judge tokens together. */
  inputTokens: number;
  outputTokens: number;
  /** Input plus output tokens of the executor's answer alone (the skill baseline compares these). */
  modelTokens: number;
  costUsd: number;
  assertions: StoredResult['assertions'];
  error: string | null;
}

/** The stored result's key: a sha256 of its identity. */
export function candidateResultKey(k: CandidateResultIdentity): string {
  return sha256(
    JSON.stringify([
      'candidate-result',
      k.candidateHash,
      k.caseId,
      k.caseHash,
      k.sample,
      k.executor,
      k.judge,
      k.params,
    ]),
  );
}

/** The content hash of one dataset case (part of a result's identity). */
export const caseHash = (c: EvalCase): string => sha256(JSON.stringify(c));

/** The models and parameters of an evaluation as they enter a result's identity. */
export function modelIdentity(models: EvalModels): Pick<CandidateResultIdentity, 'executor' | 'judge' | 'params'> {
  return {
    executor: `${models.executor.provider}:${models.executor.model}`,
    judge: `${models.judge.provider}:${models.judge.model}`,
    params: JSON.stringify({
      maxOutputTokens: models.maxOutputTokens,
      ...(models.execution ? { execution: models.execution } : {}),
    }),
  };
}

const COLUMNS =
  'result_key, candidate_hash, case_id, case_hash, sample, executor, judge, params, run_id, status, score, judge_score, output, input_tokens, output_tokens, model_tokens, cost_usd, assertions, error, created_at';
const WIDTH = 20;
/** Keys per `IN (…)` list: far under either backend's parameter limit. */
const KEYS_PER_SELECT = 100;

/** Stores results within the caller's transaction; a result already stored keeps its first value. */
export async function insertCandidateResults(tx: Queryable, rows: readonly CandidateResult[]): Promise<void> {
  const now = new Date().toISOString();
  // One row per key, in key order, so two writers inserting overlapping keys on PostgreSQL lock them in one order.
  const first = new Map<string, CandidateResult>();
  for (const r of rows) if (!first.has(r.key)) first.set(r.key, r);
  const sorted = [...first.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  await insertRows(
    tx,
    `INSERT INTO candidate_results (${COLUMNS})`,
    'ON CONFLICT (result_key) DO NOTHING',
    WIDTH,
    sorted.map((r) => [
      r.key,
      r.candidateHash,
      r.caseId,
      r.caseHash,
      r.sample,
      r.executor,
      r.judge,
      r.params,
      r.runId,
      r.status,
      r.score,
      r.judgeScore,
      r.output,
      r.inputTokens,
      r.outputTokens,
      r.modelTokens,
      r.costUsd,
      JSON.stringify(r.assertions),
      r.error,
      now,
    ]),
  );
}

/** Stores many results in one transaction (first write wins). */
export async function putCandidateResults(db: Db, rows: readonly CandidateResult[]): Promise<void> {
  await db.transaction((tx) => insertCandidateResults(tx, rows));
}

interface Row {
  result_key: string;
  candidate_hash: string;
  case_id: string;
  case_hash: string;
  sample: number;
  executor: string;
  judge: string;
  params: string;
  run_id: string;
  status: string;
  score: number;
  judge_score: number | null;
  output: string;
  input_tokens: number;
  output_tokens: number;
  model_tokens: number;
  cost_usd: number;
  assertions: string;
  error: string | null;
}

const toResult = (r: Row): CandidateResult => ({
  key: r.result_key,
  candidateHash: r.candidate_hash,
  caseId: r.case_id,
  caseHash: r.case_hash,
  sample: Number(r.sample),
  executor: r.executor,
  judge: r.judge,
  params: r.params,
  runId: r.run_id,
  status: r.status as CandidateResult['status'],
  score: Number(r.score),
  judgeScore: r.judge_score === null ? null : Number(r.judge_score),
  output: r.output,
  inputTokens: Number(r.input_tokens),
  outputTokens: Number(r.output_tokens),
  modelTokens: Number(r.model_tokens),
  costUsd: Number(r.cost_usd),
  assertions: JSON.parse(r.assertions) as CandidateResult['assertions'],
  error: r.error,
});

async function selectIn(db: Queryable, where: string, head: string[], list: readonly string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (let i = 0; i < list.length; i += KEYS_PER_SELECT) {
    const part = list.slice(i, i + KEYS_PER_SELECT);
    rows.push(
      ...(await db.all<Row>(
        `SELECT ${COLUMNS} FROM candidate_results WHERE ${where} IN (${part.map(() => '?').join(', ')})`,
        [...head, ...part],
      )),
    );
  }
  return rows;
}

/** The stored results among `keys`, by key (a key not stored is absent). */
export async function getCandidateResults(
  db: Queryable,
  keys: readonly string[],
): Promise<Map<string, CandidateResult>> {
  const rows = await selectIn(db, 'result_key', [], [...new Set(keys)]);
  return new Map(rows.map((r) => [r.result_key, toResult(r)]));
}

/**
 * What the improver reads about a candidate on some cases: per case evaluated with these models, its variables,
 * the output of its worst sample with every assertion's result and reason (a rubric's reason is the judge's
 * reasoning), the mean score over the stored samples and whether all passed. Cases with no stored result for
 * these models are left out; the order is that of `cases`.
 */
export async function loadCaseEvidence(
  db: Queryable,
  p: { candidateHash: string; cases: readonly EvalCase[]; models: EvalModels },
): Promise<CaseEvidence[]> {
  const m = modelIdentity(p.models);
  const rows = await selectIn(
    db,
    'candidate_hash = ? AND case_id',
    [p.candidateHash],
    [...new Set(p.cases.map((c) => c.id))],
  );
  const byCase = new Map<string, CandidateResult[]>();
  for (const r of rows.map(toResult)) {
    if (r.executor !== m.executor || r.judge !== m.judge || r.params !== m.params) continue;
    byCase.set(r.caseId, [...(byCase.get(r.caseId) ?? []), r]);
  }
  const evidence: CaseEvidence[] = [];
  for (const c of p.cases) {
    const hash = caseHash(c);
    const samples = (byCase.get(c.id) ?? []).filter((r) => r.caseHash === hash).sort((a, b) => a.sample - b.sample);
    if (samples.length === 0) continue;
    // The worst sample is the one worth learning from (the first of equals, so the choice is stable).
    const worst = samples.reduce((w, r) => (r.score < w.score ? r : w));
    const error = worst.error ?? samples.find((r) => r.error !== null)?.error ?? undefined;
    evidence.push({
      caseId: c.id,
      vars: c.vars,
      output: worst.output,
      ...(c.expected !== undefined ? { expected: c.expected } : {}),
      score: samples.reduce((s, r) => s + r.score, 0) / samples.length,
      passed: samples.every((r) => r.status === 'pass'),
      assertions: worst.assertions.map((a) => ({ type: a.type, pass: a.pass, score: a.score, reason: a.reason })),
      ...(error !== undefined ? { error } : {}),
    });
  }
  return evidence;
}
