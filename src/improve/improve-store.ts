import type { CaseFeedback } from '../cases/case-store';
import type { FailureKind } from '../cases/failure-kinds';
import { LOW_RATING } from '../cases/failure-kinds';
import type { Db, Queryable } from '../store/db';
import type { KindRates } from './types';

/**
 * The SQL of `refinery improve`: stored step results (migration 21), failure counts over a window for the
 * post-rollout check, and feedback resolutions (migration 22) with their webhook delivery mark.
 */

// ---------------------------------------------------------------- step results

/** The result a step of run stored, if any. */
export async function getImproveStep<T>(db: Queryable, runId: string, step: string): Promise<T | undefined> {
  const row = await db.get<{ result: string }>('SELECT result FROM improve_steps WHERE run_id = ? AND step = ?', [
    runId,
    step,
  ]);
  return row ? (JSON.parse(row.result) as T) : undefined;
}

/** Stores a step's result once; a second write (a retry) keeps the first. Returns the stored result. */
export async function putImproveStep<T>(db: Db, runId: string, name: string, step: string, result: T): Promise<T> {
  await db.run(
    'INSERT INTO improve_steps (run_id, step, name, result, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    [runId, step, name, JSON.stringify(result), new Date().toISOString()],
  );
  return (await getImproveStep<T>(db, runId, step))!;
}

// ---------------------------------------------------------------- failure counts

/**
 * Runs and failure-kind counts of name@version recorded in [from, to), by the harvest's signals: run flags
 * (correction, regeneration, format failure, error) and feedback (thumbs down, low rating, correction). A
 * correction counts once per run whether the run says so or its feedback carries it (the larger count).
 */
export async function failureCounts(
  db: Db,
  name: string,
  version: number,
  from: string,
  to: string,
): Promise<KindRates> {
  const runs = await db.get<{ n: number; corrected: number; regenerated: number; format: number; errors: number }>(
    `SELECT COUNT(*) AS n, COALESCE(SUM(corrected), 0) AS corrected, COALESCE(SUM(regenerated), 0) AS regenerated,
            COALESCE(SUM(CASE WHEN format_ok = 0 THEN 1 ELSE 0 END), 0) AS format,
            COALESCE(SUM(CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END), 0) AS errors
     FROM prompt_runs WHERE name = ? AND version = ? AND created_at >= ? AND created_at < ?`,
    [name, version, from, to],
  );
  const fb = await db.get<{ n: number; down: number; low: number; corrections: number }>(
    `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN thumbs < 0 THEN 1 ELSE 0 END), 0) AS down,
            COALESCE(SUM(CASE WHEN rating IS NOT NULL AND rating <= ? THEN 1 ELSE 0 END), 0) AS low,
            COALESCE(SUM(CASE WHEN correction IS NOT NULL THEN 1 ELSE 0 END), 0) AS corrections
     FROM feedback WHERE name = ? AND version = ? AND created_at >= ? AND created_at < ?`,
    [LOW_RATING, name, version, from, to],
  );
  const n = (x: unknown) => Number(x ?? 0);
  const counts: Partial<Record<FailureKind, number>> = {
    correction: Math.max(n(runs?.corrected), n(fb?.corrections)),
    'thumbs-down': n(fb?.down),
    'low-rating': n(fb?.low),
    regeneration: n(runs?.regenerated),
    'format-failure': n(runs?.format),
    error: n(runs?.errors),
  };
  return { runs: n(runs?.n), feedback: n(fb?.n), counts };
}

// ---------------------------------------------------------------- feedback resolutions

export interface FeedbackResolution {
  feedbackId: string;
  name: string;
  /** The version that fixed it: the one promoted to production. */
  version: number;
  caseId: string;
  dataset: string;
  datasetVersion: number;
  improveRunId: string;
  userId: string | null;
  resolvedAt: string;
  notifiedAt: string | null;
}

interface ResolutionRow {
  feedback_id: string;
  name: string;
  version: number;
  case_id: string;
  dataset: string;
  dataset_version: number;
  improve_run_id: string;
  user_id: string | null;
  resolved_at: string;
  notified_at: string | null;
}

const toResolution = (r: ResolutionRow): FeedbackResolution => ({
  feedbackId: r.feedback_id,
  name: r.name,
  version: Number(r.version),
  caseId: r.case_id,
  dataset: r.dataset,
  datasetVersion: Number(r.dataset_version),
  improveRunId: r.improve_run_id,
  userId: r.user_id,
  resolvedAt: r.resolved_at,
  notifiedAt: r.notified_at,
});

/**
 * Marks the feedback of every case of name accepted into dataset (at or before datasetVersion, the version the
 * shipped tune used) as resolved by `version`. Feedback resolved before keeps its first fix. Idempotent.
 */
export async function resolveShippedFeedback(
  db: Db,
  p: { name: string; version: number; dataset: string; datasetVersion: number; runId: string; now?: Date },
): Promise<{ resolved: number }> {
  const at = (p.now ?? new Date()).toISOString();
  return db.transaction(async (tx) => {
    const cases = await tx.all<{ case_id: string; feedback: string }>(
      `SELECT case_id, feedback FROM review_cases
       WHERE name = ? AND status = 'accepted' AND dataset = ? AND dataset_version IS NOT NULL AND dataset_version <= ?
       ORDER BY case_id`,
      [p.name, p.dataset, p.datasetVersion],
    );
    let resolved = 0;
    for (const c of cases) {
      for (const f of JSON.parse(c.feedback) as CaseFeedback[]) {
        const res = await tx.run(
          `INSERT INTO feedback_resolutions (feedback_id, name, version, case_id, dataset, dataset_version,
             improve_run_id, user_id, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [f.id, p.name, p.version, c.case_id, p.dataset, p.datasetVersion, p.runId, f.userId ?? null, at],
        );
        resolved += res.changes;
      }
    }
    return { resolved };
  });
}

export async function getFeedbackResolution(
  db: Queryable,
  feedbackId: string,
): Promise<FeedbackResolution | undefined> {
  const r = await db.get<ResolutionRow>('SELECT * FROM feedback_resolutions WHERE feedback_id = ?', [feedbackId]);
  return r ? toResolution(r) : undefined;
}

/** Resolutions of a run whose feedback.resolved event is not yet delivered, oldest first, at most `limit`. */
export async function unnotifiedResolutions(db: Queryable, runId: string, limit = 500): Promise<FeedbackResolution[]> {
  const rows = await db.all<ResolutionRow>(
    `SELECT * FROM feedback_resolutions WHERE improve_run_id = ? AND notified_at IS NULL
     ORDER BY feedback_id LIMIT ${Math.max(1, Math.floor(limit))}`,
    [runId],
  );
  return rows.map(toResolution);
}

export async function markNotified(db: Db, feedbackIds: string[], now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    for (const id of feedbackIds)
      await tx.run('UPDATE feedback_resolutions SET notified_at = ? WHERE feedback_id = ? AND notified_at IS NULL', [
        now.toISOString(),
        id,
      ]);
  });
}

/** Feedback resolved per user who gave it (contribution metrics): users with none are absent. */
export async function resolvedFeedbackByUser(
  db: Queryable,
  opts: { name?: string } = {},
): Promise<Record<string, number>> {
  const rows = await db.all<{ user_id: string; n: number }>(
    `SELECT user_id, COUNT(*) AS n FROM feedback_resolutions WHERE user_id IS NOT NULL${opts.name ? ' AND name = ?' : ''}
     GROUP BY user_id ORDER BY user_id`,
    opts.name ? [opts.name] : [],
  );
  return Object.fromEntries(rows.map((r) => [r.user_id, Number(r.n)]));
}

/** A stored feedback row, for GET /v1/feedback/{id}. */
export interface StoredFeedback {
  id: string;
  runId: string | null;
  name: string;
  version: number;
  thumbs: 'up' | 'down' | null;
  rating: number | null;
  hasCorrection: boolean;
  userId: string | null;
  at: string;
  resolution: FeedbackResolution | null;
}

export async function getFeedback(db: Queryable, id: string): Promise<StoredFeedback | undefined> {
  const r = await db.get<{
    id: string;
    run_id: string | null;
    name: string;
    version: number;
    thumbs: number | null;
    rating: number | null;
    correction: string | null;
    user_id: string | null;
    created_at: string;
  }>('SELECT id, run_id, name, version, thumbs, rating, correction, user_id, created_at FROM feedback WHERE id = ?', [
    id,
  ]);
  if (!r) return undefined;
  return {
    id: r.id,
    runId: r.run_id,
    name: r.name,
    version: Number(r.version),
    thumbs: r.thumbs === null ? null : Number(r.thumbs) > 0 ? 'up' : 'down',
    rating: r.rating === null ? null : Number(r.rating),
    hasCorrection: r.correction !== null,
    userId: r.user_id,
    at: r.created_at,
    resolution: (await getFeedbackResolution(db, id)) ?? null,
  };
}

/**
 * The newest dataset version accepted cases of name were published into by a review since `since`, with their
 * failure kinds: what a publish retried after its write (but before its record) finds again.
 */
export async function publishedSince(
  db: Queryable,
  name: string,
  since: string,
): Promise<{ dataset: string; version: number; kinds: FailureKind[]; added: number } | undefined> {
  const top = await db.get<{ dataset: string; v: number }>(
    `SELECT dataset, MAX(dataset_version) AS v FROM review_cases
     WHERE name = ? AND status = 'accepted' AND dataset_version IS NOT NULL AND reviewed_at >= ?
     GROUP BY dataset ORDER BY v DESC LIMIT 1`,
    [name, since],
  );
  if (!top) return undefined;
  return {
    dataset: top.dataset,
    version: Number(top.v),
    ...(await publishedCases(db, name, top.dataset, Number(top.v))),
  };
}

/** The failure kinds and the number of the review cases of name published into dataset@version. */
export async function publishedCases(
  db: Queryable,
  name: string,
  dataset: string,
  version: number,
): Promise<{ kinds: FailureKind[]; added: number }> {
  const rows = await db.all<{ kinds: string }>(
    'SELECT kinds FROM review_cases WHERE name = ? AND dataset = ? AND dataset_version = ?',
    [name, dataset, version],
  );
  const kinds = [...new Set(rows.flatMap((r) => JSON.parse(r.kinds) as FailureKind[]))];
  return { kinds, added: rows.length };
}
