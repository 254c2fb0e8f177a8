import type { Actor } from '../../src/library/label-store';
import { moveLabel } from '../../src/library/label-store';
import { recordFeedback, recordRuns, type FeedbackRecord, type RunRecord } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';

/**
 * Seeded production traffic for the calendar tests and the 5-year bench: a day of runs and thumbs for
 * one prompt version, drawn from given rates with a seeded PRNG, so every run sees the same data.
 */
export const DAY_MS = 86_400_000;

export interface DayRates {
  /** Thumbs-down share of votes. */
  down: number;
  error: number;
  /** Share of runs passing the format check. */
  format: number;
  correction: number;
  tokens: number;
}

export const HEALTHY: DayRates = { down: 0.1, error: 0.01, format: 0.98, correction: 0.05, tokens: 200 };

/** mulberry32: small, fast and seeded. */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADMIN: Actor = { subject: 'calendar-test', admin: true, ownerRole: true };

/** A library item with version 1 labelled production. */
export async function productionPrompt(db: Db, name: string, owner: string): Promise<void> {
  await recordVersion(
    db,
    name,
    { type: 'text', text: `You are ${name}. Answer in JSON.`, variables: [] },
    { rationale: 'seed', author: owner },
  );
  await moveLabel(db, { name, label: 'production', version: 1, actor: ADMIN, reason: 'seed' });
}

/**
 * Runs and votes of name@version spread evenly over the day starting at dayStart (inclusive start,
 * exclusive end), so a review window (end − 24 h, end] at the day's end holds all of them.
 */
export async function seedDay(
  db: Db,
  p: {
    name: string;
    version?: number;
    dayStart: number;
    rates: DayRates;
    random: () => number;
    runs?: number;
    votes?: number;
  },
): Promise<void> {
  const runs = p.runs ?? 1000;
  const votes = p.votes ?? 400;
  const version = p.version ?? 1;
  const day = new Date(p.dayStart).toISOString().slice(0, 10);
  const at = (i: number, n: number) => new Date(p.dayStart + Math.floor(((i + 0.5) * DAY_MS) / n)).toISOString();
  const runRecords: RunRecord[] = Array.from({ length: runs }, (_, i) => ({
    id: `${p.name}-${day}-${i}-run`,
    name: p.name,
    version,
    error: p.random() < p.rates.error ? 'downstream 502' : undefined,
    formatOk: p.random() < p.rates.format,
    corrected: p.random() < p.rates.correction,
    regenerated: false,
    outputTokens: Math.round(p.rates.tokens * (0.8 + 0.4 * p.random())),
    at: at(i, runs),
  }));
  const feedback: FeedbackRecord[] = Array.from({ length: votes }, (_, i) => ({
    id: `${p.name}-${day}-${i}-vote`,
    name: p.name,
    version,
    thumbs: p.random() < p.rates.down ? 'down' : 'up',
    at: at(i, votes),
  }));
  await recordRuns(db, runRecords);
  await recordFeedback(db, feedback);
}
