import type { Db } from '../../store/db';

/** Quality signals of one prompt version over a window, from recorded runs and feedback. */
export interface QualitySignals {
  name: string;
  version: number;
  windowDays: number;
  volume: number;
  formatComplianceRate: number | null;
  correctionRate: number | null;
  errorRate: number | null;
  thumbsDownRate: number | null;
  votes: number;
  meanOutputTokens: number | null;
}

export const WINDOWS = [1, 7, 30] as const;

/** Signals of name@version for runs in (now − windowDays, now]. */
export async function qualitySignals(
  db: Db,
  name: string,
  version: number,
  windowDays: number,
  now = new Date(),
): Promise<QualitySignals> {
  const since = new Date(now.getTime() - windowDays * 86_400_000).toISOString();
  const until = now.toISOString();
  const r = await db.get<Record<string, number | null>>(
    `SELECT COUNT(*) AS n,
            SUM(CASE WHEN format_ok IS NOT NULL THEN 1 ELSE 0 END) AS judged,
            SUM(CASE WHEN format_ok = 1 THEN 1 ELSE 0 END) AS ok,
            SUM(CASE WHEN corrected = 1 OR regenerated = 1 THEN 1 ELSE 0 END) AS corrected,
            SUM(CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END) AS errors,
            AVG(output_tokens) AS tokens
     FROM prompt_runs WHERE name = ? AND version = ? AND created_at > ? AND created_at <= ?`,
    [name, version, since, until],
  );
  const f = await db.get<Record<string, number | null>>(
    `SELECT SUM(CASE WHEN thumbs = -1 THEN 1 ELSE 0 END) AS down, SUM(CASE WHEN thumbs IS NOT NULL THEN 1 ELSE 0 END) AS votes
     FROM feedback WHERE name = ? AND version = ? AND created_at > ? AND created_at <= ?`,
    [name, version, since, until],
  );
  const n = Number(r?.n ?? 0);
  const votes = Number(f?.votes ?? 0);
  const rate = (k: unknown, d: number) => (d > 0 ? Math.round((Number(k ?? 0) / d) * 1e4) / 1e4 : null);
  return {
    name,
    version,
    windowDays,
    volume: n,
    formatComplianceRate: rate(r?.ok, Number(r?.judged ?? 0)),
    correctionRate: rate(r?.corrected, n),
    errorRate: rate(r?.errors, n),
    thumbsDownRate: rate(f?.down, votes),
    votes,
    meanOutputTokens: r?.tokens === null || r?.tokens === undefined ? null : Math.round(Number(r.tokens) * 10) / 10,
  };
}
