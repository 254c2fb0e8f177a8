import { createHash, randomUUID } from 'node:crypto';
import { LibraryError } from '../library/errors';
import { redact } from '../providers/redact';
import type { Db } from '../store/db';
import {
  ALL_USERS,
  caseFingerprints,
  failedRuns,
  feedbackInRange,
  getHarvestCursor,
  harvestHorizon,
  versionsOf,
  writeHarvest,
  type CaseFeedback,
  type CaseMerge,
  type FailedRunRow,
  type NewCase,
  type ReadRange,
  type UserFold,
} from './case-store';
import { feedbackKinds, orderKinds, runKinds, stratifiedSample, type FailureKind, type Stratum } from './failure-kinds';
import { fingerprint, NearDuplicateIndex, type InputFingerprint } from './near-duplicates';

/** New cases one harvest adds to a name's queue at most; the rest of what it read is counted, not queued. */
export const DEFAULT_HARVEST_LIMIT = 100;
/** How far back a name's first harvest reads; later harvests continue from the cursor. */
export const FIRST_HARVEST_LOOKBACK_MS = 7 * 24 * 3600_000;

export interface HarvestResult {
  name: string;
  harvestId: string;
  firstHarvest: boolean;
  runsRead: number;
  feedbackRead: number;
  /** Distinct failed runs found (after folding near-identical inputs). */
  candidates: number;
  /** Near-identical inputs folded into another candidate or an open case. */
  duplicates: number;
  /** Candidates whose input was reviewed already (accepted or rejected): not offered again. */
  alreadyReviewed: number;
  /** Open cases that received new evidence (feedback on their run, or a near-identical input). */
  merged: number;
  queued: number;
  strata: Stratum[];
}

interface Candidate {
  key: string;
  version: number;
  runId: string | null;
  kinds: Set<FailureKind>;
  kind: FailureKind;
  run?: FailedRunRow;
  feedback: CaseFeedback[];
  fp?: InputFingerprint;
  duplicates: number;
}

/**
 * Samples the runs of `name` that went wrong since the previous harvest into its review queue: reads new
 * runs and feedback from the cursor, folds near-identical inputs, drops inputs reviewed already, samples
 * at most `limit` new cases stratified by version and failure kind, and moves the cursor, all in one write.
 */
export async function harvestCases(
  db: Db,
  name: string,
  opts: { limit?: number; now?: Date; harvestId?: string } = {},
): Promise<HarvestResult> {
  const versions = await versionsOf(db, name);
  if (versions.length === 0)
    throw new LibraryError(`no prompt or skill "${name}" in the library: see \`refinery library\``, 404, 'name');
  const limit = opts.limit ?? DEFAULT_HARVEST_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new LibraryError('limit must be a whole number ≥ 0', 400, 'limit');
  const harvestId = opts.harvestId ?? `harvest-${randomUUID()}`;
  const previous = await getHarvestCursor(db, name);
  const horizon = await harvestHorizon(db);
  const since = new Date((opts.now ?? new Date()).getTime() - FIRST_HARVEST_LOOKBACK_MS).toISOString();
  const runRange: ReadRange = previous ? { from: previous.runs, to: horizon.runs } : { since, to: horizon.runs };
  const fbRange: ReadRange = previous
    ? { from: previous.feedback, to: horizon.feedback }
    : { since, to: horizon.feedback };

  const byRun = new Map<string, Candidate>();
  const users = new Map<string, UserFold>();
  let runsRead = 0;
  let feedbackRead = 0;
  const candidateFor = (key: string, version: number, runId: string | null): Candidate => {
    let c = byRun.get(key);
    if (!c) byRun.set(key, (c = { key, version, runId, kinds: new Set(), kind: 'error', feedback: [], duplicates: 0 }));
    return c;
  };
  for (const version of versions) {
    for (const run of await failedRuns(db, name, version, runRange)) {
      runsRead++;
      const c = candidateFor(run.id, version, run.id);
      c.run = run;
      for (const k of runKinds(run)) c.kinds.add(k);
    }
    for (const f of await feedbackInRange(db, name, version, fbRange)) {
      feedbackRead++;
      foldUser(users, ALL_USERS, f);
      if (f.userId) foldUser(users, f.userId, f);
      const kinds = feedbackKinds(f);
      if (kinds.length === 0) continue;
      const c = candidateFor(f.runId ?? `feedback:${f.id}`, version, f.run ? f.runId : null);
      if (!c.run && f.run) {
        // The run was read by an earlier harvest (or had no failure of its own): its own signals count too.
        c.run = f.run;
        for (const k of runKinds(f.run)) c.kinds.add(k);
      }
      const { run: _run, version: _v, runId: _r, ...entry } = f;
      c.feedback.push(entry);
      for (const k of kinds) c.kinds.add(k);
    }
  }

  // Existing cases: by run (new evidence on a queued run) and by input (near-duplicates, reviewed inputs).
  const stored = await caseFingerprints(db, name);
  const storedByRun = new Map(stored.filter((s) => s.runId).map((s) => [s.runId!, s]));
  const storedIndex = new NearDuplicateIndex<(typeof stored)[number]>();
  for (const s of stored) if (s.inputKey && s.simhash) storedIndex.add({ key: s.inputKey, simhash: s.simhash }, s);
  const merges = new Map<string, CaseMerge>();
  const mergeInto = (caseId: string, c: Candidate, duplicate: boolean) => {
    let m = merges.get(caseId);
    if (!m) merges.set(caseId, (m = { caseId, kinds: [], feedback: [], correction: null, duplicates: 0 }));
    m.kinds = orderKinds([...m.kinds, ...c.kinds]);
    m.feedback.push(...c.feedback);
    m.correction ??= correctionOf(c);
    m.duplicates += duplicate ? 1 + c.duplicates : 0;
  };

  let duplicates = 0;
  let alreadyReviewed = 0;
  const fresh: Candidate[] = [];
  const batchIndex = new NearDuplicateIndex<Candidate>();
  // Oldest first, so the case kept for a group of near-identical inputs is the first one seen.
  const ordered = [...byRun.values()].sort((a, b) => (atOf(a) < atOf(b) ? -1 : atOf(a) > atOf(b) ? 1 : 0));
  for (const c of ordered) {
    const input = c.run?.input ?? null;
    if (input !== null && input.trim() !== '') c.fp = fingerprint(input);
    const sameRun = c.runId ? storedByRun.get(c.runId) : undefined;
    if (sameRun) {
      if (sameRun.status === 'pending' || sameRun.status === 'skipped') mergeInto(sameRun.caseId, c, false);
      continue;
    }
    const near = c.fp ? storedIndex.find(c.fp) : undefined;
    if (near) {
      duplicates++;
      if (near.status === 'pending' || near.status === 'skipped') mergeInto(near.caseId, c, true);
      else alreadyReviewed++;
      continue;
    }
    const inBatch = c.fp ? batchIndex.find(c.fp) : undefined;
    if (inBatch) {
      duplicates++;
      inBatch.duplicates += 1;
      inBatch.feedback.push(...c.feedback);
      for (const k of c.kinds) inBatch.kinds.add(k);
      continue;
    }
    if (c.fp) batchIndex.add(c.fp, c);
    fresh.push(c);
  }

  for (const c of fresh) c.kind = orderKinds(c.kinds)[0]!;
  const { chosen, strata } = stratifiedSample(fresh, limit, harvestId);
  const cases: NewCase[] = chosen.map((c) => ({
    caseId: caseIdOf(name, c.key),
    version: c.version,
    runId: c.runId,
    kind: c.kind,
    kinds: orderKinds(c.kinds),
    input: shown(c.run?.input),
    output: shown(c.run?.output),
    error: shown(c.run?.error),
    correction: shown(correctionOf(c)),
    feedback: c.feedback.map((f) => ({ ...f, correction: shown(f.correction), comment: shown(f.comment) })),
    inputKey: c.fp?.key ?? null,
    simhash: c.fp?.simhash ?? null,
    duplicates: c.duplicates,
    runAt: atOf(c),
  }));
  const { merged } = await writeHarvest(db, {
    name,
    harvestId,
    previous,
    cursor: horizon,
    cases,
    merges: [...merges.values()].map((m) => ({
      ...m,
      correction: shown(m.correction),
      feedback: m.feedback.map((f) => ({ ...f, correction: shown(f.correction), comment: shown(f.comment) })),
    })),
    users: [...users.values()],
  });
  return {
    name,
    harvestId,
    firstHarvest: previous === undefined,
    runsRead,
    feedbackRead,
    candidates: fresh.length,
    duplicates,
    alreadyReviewed,
    merged,
    queued: cases.length,
    strata,
  };
}

/** Text a person reads and a dataset may keep: this service's secrets never go there. */
const shown = (text: string | null | undefined): string | null => (text == null ? null : redact(text));

/** The newest correction given for the candidate's run. */
function correctionOf(c: Candidate): string | null {
  for (let i = c.feedback.length - 1; i >= 0; i--) if (c.feedback[i]!.correction) return c.feedback[i]!.correction;
  return null;
}

const atOf = (c: Candidate): string => c.run?.at ?? c.feedback[0]?.at ?? '';

/** Derived from the run (or lone feedback) id: a harvest retried after its write finds the case it wrote. */
export const caseIdOf = (name: string, key: string): string =>
  `case-${createHash('sha256').update(`${name}\u0000${key}`).digest('hex').slice(0, 16)}`;

function foldUser(
  users: Map<string, UserFold>,
  userId: string,
  f: { thumbs: 'up' | 'down' | null; rating: number | null },
): void {
  let u = users.get(userId);
  if (!u) users.set(userId, (u = { userId, votes: 0, thumbsDown: 0, ratings: 0, ratingSum: 0 }));
  if (f.thumbs !== null) {
    u.votes++;
    if (f.thumbs === 'down') u.thumbsDown++;
  }
  if (f.rating !== null) {
    u.ratings++;
    u.ratingSum += f.rating;
  }
}
