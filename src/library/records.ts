import { z } from 'zod';
import type { Db } from '../store/db';
import { LibraryError } from './errors';

/** A run of a prompt version as the application reports it; the client's id makes retries harmless. */
export const runSchema = z.object({
  id: z.string().min(8).max(100),
  name: z.string().min(1).max(100),
  version: z.number().int().positive(),
  unitId: z.string().max(200).optional(),
  /** The model that answered (OTLP ingestion fills it from gen_ai.response.model or gen_ai.request.model). */
  model: z.string().max(200).optional(),
  latencyMs: z.number().int().nonnegative().max(3_600_000).optional(),
  inputTokens: z.number().int().nonnegative().optional(),
  outputTokens: z.number().int().nonnegative().optional(),
  error: z.string().max(2000).optional(),
  formatOk: z.boolean().optional(),
  corrected: z.boolean().default(false),
  regenerated: z.boolean().default(false),
  /** The input the application sent (optional): the quarterly dataset refresh review compares these with
   * the golden dataset's inputs. Keep personal data out, or leave it unset. */
  input: z.string().max(20_000).optional(),
  /** The output the run returned (optional): a harvested case shows it beside the input and the feedback.
   * Same caveat as input; secrets of this service are redacted when a case is harvested. */
  output: z.string().max(20_000).optional(),
  at: z.iso.datetime().optional(),
});
export type RunRecord = z.infer<typeof runSchema>;

export const feedbackSchema = z
  .object({
    id: z.string().min(8).max(100),
    runId: z.string().max(100).optional(),
    name: z.string().min(1).max(100).optional(),
    version: z.number().int().positive().optional(),
    thumbs: z.enum(['up', 'down']).optional(),
    rating: z.number().int().min(1).max(5).optional(),
    correction: z.string().max(20_000).optional(),
    comment: z.string().max(5000).optional(),
    /** Who gave it (an opaque id, optional): the review queue shows each user's rating tendency. */
    userId: z.string().min(1).max(200).optional(),
    at: z.iso.datetime().optional(),
  })
  .refine((f) => f.runId || (f.name && f.version), { message: 'give runId, or name and version', path: ['runId'] })
  .refine((f) => f.thumbs || f.rating || f.correction || f.comment, {
    message: 'give thumbs, rating, correction or comment',
    path: ['thumbs'],
  });
export type FeedbackRecord = z.infer<typeof feedbackSchema>;

const bool = (b: boolean | undefined) => (b === undefined ? null : b ? 1 : 0);

/** Stores runs; a run id seen before is skipped (at-least-once delivery from the resolver, stored once). */
export async function recordRuns(db: Db, runs: RunRecord[]): Promise<{ stored: number; duplicates: number }> {
  let stored = 0;
  await db.transaction(async (tx) => {
    for (const r of runs) {
      const res = await tx.run(
        `INSERT INTO prompt_runs (id, name, version, unit_id, latency_ms, input_tokens, output_tokens, error, format_ok, corrected, regenerated, input, output, created_at, model)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          r.id,
          r.name,
          r.version,
          r.unitId ?? null,
          r.latencyMs ?? null,
          r.inputTokens ?? null,
          r.outputTokens ?? null,
          r.error ?? null,
          bool(r.formatOk),
          r.corrected ? 1 : 0,
          r.regenerated ? 1 : 0,
          r.input ?? null,
          r.output ?? null,
          r.at ?? new Date().toISOString(),
          r.model ?? null,
        ],
      );
      stored += res.changes;
    }
  });
  return { stored, duplicates: runs.length - stored };
}

/** Stores feedback, linked to its run (name and version come from the run when not given). */
export async function recordFeedback(db: Db, items: FeedbackRecord[]): Promise<{ stored: number; duplicates: number }> {
  let stored = 0;
  await db.transaction(async (tx) => {
    for (const [i, f] of items.entries()) {
      let { name, version } = f;
      if (f.runId) {
        const run = await tx.get<{ name: string; version: number }>(
          'SELECT name, version FROM prompt_runs WHERE id = ?',
          [f.runId],
        );
        if (!run && !(name && version))
          throw new LibraryError(
            `feedback[${i}].runId: no run "${f.runId}"; record the run first or give name and version`,
            400,
            `feedback[${i}].runId`,
          );
        name ??= run?.name;
        version ??= run ? Number(run.version) : undefined;
      }
      const res = await tx.run(
        `INSERT INTO feedback (id, run_id, name, version, thumbs, rating, correction, comment, user_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          f.id,
          f.runId ?? null,
          name!,
          version!,
          f.thumbs === undefined ? null : f.thumbs === 'up' ? 1 : -1,
          f.rating ?? null,
          f.correction ?? null,
          f.comment ?? null,
          f.userId ?? null,
          f.at ?? new Date().toISOString(),
        ],
      );
      stored += res.changes;
    }
  });
  return { stored, duplicates: items.length - stored };
}

export interface VersionUsage {
  version: number;
  runs: number;
  errorRate: number | null;
  formatOkRate: number | null;
  correctionRate: number | null;
  regenerationRate: number | null;
  p50LatencyMs: number | null;
  thumbsUp: number;
  thumbsDown: number;
  averageRating: number | null;
}

/** Per-version usage and outcome figures of name, from recorded runs and feedback. */
export async function versionUsage(db: Db, name: string): Promise<VersionUsage[]> {
  const runs = await db.all<{
    version: number;
    n: number;
    errors: number;
    fmt_n: number;
    fmt_ok: number;
    corrected: number;
    regenerated: number;
  }>(
    `SELECT version, COUNT(*) AS n,
            SUM(CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END) AS errors,
            SUM(CASE WHEN format_ok IS NOT NULL THEN 1 ELSE 0 END) AS fmt_n,
            SUM(CASE WHEN format_ok = 1 THEN 1 ELSE 0 END) AS fmt_ok,
            SUM(corrected) AS corrected, SUM(regenerated) AS regenerated
     FROM prompt_runs WHERE name = ? GROUP BY version`,
    [name],
  );
  const fb = await db.all<{ version: number; up: number; down: number; rating: number | null }>(
    `SELECT version, SUM(CASE WHEN thumbs = 1 THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN thumbs = -1 THEN 1 ELSE 0 END) AS down,
            AVG(rating) AS rating
     FROM feedback WHERE name = ? GROUP BY version`,
    [name],
  );
  const versions = await db.all<{ version: number }>(
    'SELECT version FROM library_versions WHERE name = ? ORDER BY version',
    [name],
  );
  const latencies = await db.all<{ version: number; latency_ms: number }>(
    'SELECT version, latency_ms FROM prompt_runs WHERE name = ? AND latency_ms IS NOT NULL ORDER BY version, latency_ms',
    [name],
  );
  const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);
  return versions.map(({ version: v }) => {
    const version = Number(v);
    const r = runs.find((x) => Number(x.version) === version);
    const f = fb.find((x) => Number(x.version) === version);
    const lat = latencies.filter((l) => Number(l.version) === version).map((l) => Number(l.latency_ms));
    const n = Number(r?.n ?? 0);
    return {
      version,
      runs: n,
      errorRate: rate(Number(r?.errors ?? 0), n),
      formatOkRate: rate(Number(r?.fmt_ok ?? 0), Number(r?.fmt_n ?? 0)),
      correctionRate: rate(Number(r?.corrected ?? 0), n),
      regenerationRate: rate(Number(r?.regenerated ?? 0), n),
      p50LatencyMs: lat.length ? lat[Math.floor((lat.length - 1) / 2)]! : null,
      thumbsUp: Number(f?.up ?? 0),
      thumbsDown: Number(f?.down ?? 0),
      averageRating: f?.rating === null || f?.rating === undefined ? null : Math.round(Number(f.rating) * 100) / 100,
    };
  });
}

/** A piece of low-rated feedback with the run it is about (when it names one that was recorded). */
export interface LowRatedRun {
  feedbackId: string;
  version: number;
  thumbs: 'up' | 'down' | null;
  rating: number | null;
  correction: string | null;
  comment: string | null;
  at: string;
  run: {
    id: string;
    input: string | null;
    error: string | null;
    latencyMs: number | null;
    formatOk: boolean | null;
    corrected: boolean;
    regenerated: boolean;
    at: string;
  } | null;
}

interface LowRatedRow {
  id: string;
  version: number;
  thumbs: number | null;
  rating: number | null;
  correction: string | null;
  comment: string | null;
  created_at: string;
  run_id: string | null;
  run_input: string | null;
  run_error: string | null;
  run_latency_ms: number | null;
  run_format_ok: number | null;
  run_corrected: number | null;
  run_regenerated: number | null;
  run_at: string | null;
}

/**
 * Feedback on name that rates a run badly (thumbs down, or a rating at or below maxRating), newest first,
 * each with its run: what an agent reads before it proposes a better version.
 */
export async function lowRatedRuns(
  db: Db,
  name: string,
  opts: { version?: number; maxRating?: number; limit?: number } = {},
): Promise<LowRatedRun[]> {
  const params: (string | number)[] = [name, opts.maxRating ?? 2];
  if (opts.version !== undefined) params.push(opts.version);
  params.push(opts.limit ?? 20);
  const rows = await db.all<LowRatedRow>(
    `SELECT f.id, f.version, f.thumbs, f.rating, f.correction, f.comment, f.created_at,
            r.id AS run_id, r.input AS run_input, r.error AS run_error, r.latency_ms AS run_latency_ms,
            r.format_ok AS run_format_ok, r.corrected AS run_corrected, r.regenerated AS run_regenerated,
            r.created_at AS run_at
     FROM feedback f LEFT JOIN prompt_runs r ON r.id = f.run_id
     WHERE f.name = ? AND (f.thumbs = -1 OR (f.rating IS NOT NULL AND f.rating <= ?))
     ${opts.version !== undefined ? 'AND f.version = ?' : ''}
     ORDER BY f.created_at DESC, f.id LIMIT ?`,
    params,
  );
  const num = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    feedbackId: r.id,
    version: Number(r.version),
    thumbs: r.thumbs === null ? null : Number(r.thumbs) > 0 ? 'up' : 'down',
    rating: num(r.rating),
    correction: r.correction,
    comment: r.comment,
    at: r.created_at,
    run:
      r.run_id === null
        ? null
        : {
            id: r.run_id,
            input: r.run_input,
            error: r.run_error,
            latencyMs: num(r.run_latency_ms),
            formatOk: r.run_format_ok === null ? null : Number(r.run_format_ok) === 1,
            corrected: Number(r.run_corrected) === 1,
            regenerated: Number(r.run_regenerated) === 1,
            at: r.run_at!,
          },
  }));
}
