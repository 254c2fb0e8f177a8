import { z } from 'zod';
import type { Db } from '../store/db';
import { LibraryError } from './errors';
import {
  feedbackByVersion,
  getRunVersion,
  insertFeedback,
  insertRun,
  lowRatedFeedback,
  runLatencies,
  runOutcomesByVersion,
  versionNumbers,
} from './record-store';

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
      const inserted = await insertRun(tx, {
        id: r.id,
        name: r.name,
        version: r.version,
        unitId: r.unitId ?? null,
        latencyMs: r.latencyMs ?? null,
        inputTokens: r.inputTokens ?? null,
        outputTokens: r.outputTokens ?? null,
        error: r.error ?? null,
        formatOk: bool(r.formatOk),
        corrected: r.corrected ? 1 : 0,
        regenerated: r.regenerated ? 1 : 0,
        input: r.input ?? null,
        output: r.output ?? null,
        createdAt: r.at ?? new Date().toISOString(),
        model: r.model ?? null,
      });
      if (inserted) stored++;
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
        const run = await getRunVersion(tx, f.runId);
        if (!run && !(name && version))
          throw new LibraryError(
            `feedback[${i}].runId: no run "${f.runId}"; record the run first or give name and version`,
            400,
            `feedback[${i}].runId`,
          );
        name ??= run?.name;
        version ??= run ? Number(run.version) : undefined;
      }
      const inserted = await insertFeedback(tx, {
        id: f.id,
        runId: f.runId ?? null,
        name: name!,
        version: version!,
        thumbs: f.thumbs === undefined ? null : f.thumbs === 'up' ? 1 : -1,
        rating: f.rating ?? null,
        correction: f.correction ?? null,
        comment: f.comment ?? null,
        userId: f.userId ?? null,
        createdAt: f.at ?? new Date().toISOString(),
      });
      if (inserted) stored++;
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
  const runs = await runOutcomesByVersion(db, name);
  const fb = await feedbackByVersion(db, name);
  const versions = await versionNumbers(db, name);
  const latencies = await runLatencies(db, name);
  const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);
  return versions.map((version) => {
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

/**
 * Feedback on name that rates a run badly (thumbs down, or a rating at or below maxRating), newest first,
 * each with its run: what an agent reads before it proposes a better version.
 */
export async function lowRatedRuns(
  db: Db,
  name: string,
  opts: { version?: number; maxRating?: number; limit?: number } = {},
): Promise<LowRatedRun[]> {
  const rows = await lowRatedFeedback(db, name, {
    version: opts.version,
    maxRating: opts.maxRating ?? 2,
    limit: opts.limit ?? 20,
  });
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
