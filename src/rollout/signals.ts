import type { Db } from '../store/db';
import type { ArmCounts } from './guard';

/** Live signals of one version since a time: the counts the guard compares between arms. */
export async function armCounts(db: Db, name: string, version: number, since: string): Promise<ArmCounts> {
  const r = await db.get<Record<string, number | null>>(
    `SELECT COUNT(*) AS runs,
            SUM(CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END) AS errors,
            SUM(CASE WHEN format_ok IS NOT NULL THEN 1 ELSE 0 END) AS judged,
            SUM(CASE WHEN format_ok = 0 THEN 1 ELSE 0 END) AS failed,
            SUM(CASE WHEN corrected = 1 OR regenerated = 1 THEN 1 ELSE 0 END) AS corrected
     FROM prompt_runs WHERE name = ? AND version = ? AND created_at >= ?`,
    [name, version, since],
  );
  const f = await db.get<Record<string, number | null>>(
    `SELECT SUM(CASE WHEN thumbs = 1 THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN thumbs = -1 THEN 1 ELSE 0 END) AS down
     FROM feedback WHERE name = ? AND version = ? AND created_at >= ?`,
    [name, version, since],
  );
  const samples = await db.all<{ latency_ms: number | null; tokens: number | null }>(
    `SELECT latency_ms, COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) AS tokens
     FROM prompt_runs WHERE name = ? AND version = ? AND created_at >= ?`,
    [name, version, since],
  );
  return {
    runs: Number(r?.runs ?? 0),
    errors: Number(r?.errors ?? 0),
    formatJudged: Number(r?.judged ?? 0),
    formatFailed: Number(r?.failed ?? 0),
    thumbsUp: Number(f?.up ?? 0),
    thumbsDown: Number(f?.down ?? 0),
    correctedOrRegenerated: Number(r?.corrected ?? 0),
    latenciesMs: samples
      .map((s) => s.latency_ms)
      .filter((x): x is number => x !== null)
      .map(Number),
    tokensPerCall: samples.map((s) => Number(s.tokens ?? 0)).filter((t) => t > 0),
  };
}
