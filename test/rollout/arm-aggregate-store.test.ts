import { recordFeedback, recordRuns, type FeedbackRecord, type RunRecord } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import { foldArmCounts, recountArmCounts, type ArmKey } from '../../src/rollout/arm-aggregate-store';
import { evaluateGuard, type ArmCounts } from '../../src/rollout/guard';
import type { Db } from '../../src/store/db';
import { describeEachStore } from '../support/store-backends';
import { mulberry32 } from './guard/sim';

const SINCE = '2026-11-22T12:00:00.000Z';
const after = (s: number) => new Date(Date.parse(SINCE) + s * 1000).toISOString();

/** Counts the run rows a look reads back: the work that must track new rows, not stored ones. */
function counting(db: Db): { db: Db; runRows: () => number } {
  let rows = 0;
  const all: Db['all'] = async (sql, params) => {
    const r = await db.all(sql, params);
    if (/FROM prompt_runs/.test(sql)) rows += r.length;
    return r as never;
  };
  return { db: { ...db, all }, runRows: () => rows };
}

let seq = 0;
function runs(version: number, n: number, rand: () => number, opts: { errorRate?: number; at?: string } = {}) {
  return Array.from({ length: n }, (): RunRecord => ({
    id: `run-${version}-${++seq}-${Math.floor(rand() * 1e9)}`,
    name: 'greet',
    version,
    latencyMs: Math.round(300 + 700 * rand()),
    inputTokens: 100 + Math.floor(50 * rand()),
    outputTokens: rand() < 0.1 ? undefined : 200,
    error: rand() < (opts.errorRate ?? 0.02) ? 'boom' : undefined,
    formatOk: rand() < 0.2 ? undefined : rand() > 0.05,
    corrected: rand() < 0.05,
    regenerated: rand() < 0.03,
    at: opts.at ?? after(1 + Math.floor(rand() * 3600)),
  }));
}

/**
 * On PostgreSQL a look folds only rows whose transaction is older than every transaction still open on
 * the server (other test files' included), so folding may lag behind commits; it never counts a row twice.
 * Looks again until the fold has caught up with the full recount, or the deadline passes.
 */
async function foldCaughtUp(db: Db, key: ArmKey, expected: ArmCounts, deadlineMs = 20_000): Promise<ArmCounts> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const folded = await foldArmCounts(db, key);
    if (folded.runs === expected.runs && JSON.stringify(folded) === JSON.stringify(expected)) return folded;
    if (Date.now() > until) return folded;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fold may lag (see foldCaughtUp), but it never holds more than the full recount. */
function expectNoMoreThan(actual: ArmCounts, expected: ArmCounts): void {
  for (const k of ['runs', 'errors', 'formatJudged', 'formatFailed', 'thumbsUp', 'thumbsDown'] as const)
    expect({ k, v: actual[k] <= expected[k] }).toEqual({ k, v: true });
}

/** Counts equal; float sums equal up to the order they were added in. */
function expectSameCounts(actual: ArmCounts, expected: ArmCounts): void {
  const { latency, tokens, ...counts } = actual;
  const { latency: eLatency, tokens: eTokens, ...eCounts } = expected;
  expect(counts).toEqual(eCounts);
  for (const [a, e] of [
    [latency, eLatency],
    [tokens, eTokens],
  ] as const) {
    expect(a.n).toBe(e.n);
    expect(a.histogram).toEqual(e.histogram);
    expect(a.sum).toBe(e.sum); // integer samples: exact in any order
    expect(a.logSum).toBeCloseTo(e.logSum, 8);
    expect(a.logSumSq).toBeCloseTo(e.logSumSq, 8);
  }
}

describeEachStore('arm aggregates folded from a cursor', (backend) => {
  let db: Db;
  const key = (version: number, experimentId = 'ro-1'): ArmKey => ({
    experimentId,
    name: 'greet',
    version,
    since: SINCE,
  });
  beforeEach(async () => {
    db = await backend.open();
    for (const t of ['a', 'b'])
      await recordVersion(db, 'greet', { type: 'text', text: t, variables: [] }, { rationale: 'r', author: 'ana' });
  });

  test('each look reads only the rows added since the last one, and late feedback is folded in', async () => {
    const rand = mulberry32(7);
    const { db: seen, runRows } = counting(db);
    // Older runs, before the experiment started: never counted, never read.
    await recordRuns(db, runs(1, 200, rand, { at: after(-3600) }));
    await recordRuns(db, runs(1, 40, rand));
    const first = await foldArmCounts(seen, key(1));
    expect(first.runs).toBe(40);
    expect(runRows()).toBe(40);
    expectSameCounts(first, await recountArmCounts(db, 'greet', 1, SINCE));

    const batch = runs(1, 15, rand);
    await recordRuns(db, batch);
    await recordRuns(db, runs(2, 5, rand)); // the other arm's rows are not this arm's work
    const before = runRows();
    const second = await foldArmCounts(seen, key(1));
    expect(runRows() - before).toBe(15);
    expect(second.runs).toBe(55);
    expectSameCounts(second, await recountArmCounts(db, 'greet', 1, SINCE));

    // Feedback arriving after its run was folded, and feedback stamped before the start (not counted).
    await recordFeedback(db, [
      { id: 'fb-late-1', runId: batch[0]!.id, thumbs: 'down', at: after(7200) },
      { id: 'fb-late-2', runId: batch[1]!.id, thumbs: 'up', at: after(7200) },
      { id: 'fb-late-3', runId: batch[2]!.id, thumbs: 'down', at: after(7300) },
      { id: 'fb-early-1', name: 'greet', version: 1, thumbs: 'down', at: after(-10) },
    ]);
    const third = await foldArmCounts(seen, key(1));
    expect(runRows() - before).toBe(15);
    expect(third).toMatchObject({ runs: 55, thumbsUp: 1, thumbsDown: 2 });
    expectSameCounts(third, await recountArmCounts(db, 'greet', 1, SINCE));

    // A look with nothing new changes nothing: nothing is counted twice.
    expectSameCounts(await foldArmCounts(seen, key(1)), third);
    expect(runRows() - before).toBe(15);
    // A run recorded now but stamped before the start stays out, as in the full count.
    await recordRuns(db, runs(1, 3, rand, { at: after(-1) }));
    expectSameCounts(await foldArmCounts(db, key(1)), await recountArmCounts(db, 'greet', 1, SINCE));
    // Another experiment on the same arm starts its own aggregate from scratch.
    expectSameCounts(await foldArmCounts(db, key(1, 'ro-2')), third);
  });

  test('concurrent looks never count a row twice', async () => {
    const rand = mulberry32(8);
    for (let round = 0; round < 4; round++) {
      await recordRuns(db, runs(1, 25, rand));
      await recordFeedback(db, [{ id: `fb-c-${round}-x`, name: 'greet', version: 1, thumbs: 'up', at: after(5) }]);
      const looks = await Promise.all([1, 2, 3].map(() => foldArmCounts(db, key(1))));
      const expected = await recountArmCounts(db, 'greet', 1, SINCE);
      // No look holds a row twice; once the fold has caught up, the stored aggregate holds each row once.
      for (const l of looks) expectNoMoreThan(l, expected);
      expectSameCounts(await foldCaughtUp(db, key(1), expected), expected);
    }
  });

  test('a run whose transaction commits after a look is folded by a later look, once', async () => {
    const rand = mulberry32(9);
    await recordRuns(db, runs(1, 10, rand));
    await foldArmCounts(db, key(1));
    await db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO prompt_runs (id, name, version, latency_ms, corrected, regenerated, created_at)
         VALUES ('in-flight-run', 'greet', 1, 500, 0, 0, ?)`,
        [after(30)],
      );
      // A look while the insert is not committed (on PostgreSQL from another connection: it cannot see it).
      await foldArmCounts(db, key(1));
    });
    await recordRuns(db, runs(1, 5, rand));
    const later = await foldCaughtUp(db, key(1), await recountArmCounts(db, 'greet', 1, SINCE));
    expect(later.runs).toBe(16);
    expectSameCounts(later, await recountArmCounts(db, 'greet', 1, SINCE));
    expectSameCounts(await foldArmCounts(db, key(1)), later);
  });

  test('the guard verdict from incremental looks equals the verdict from a full recount', async () => {
    const rand = mulberry32(10);
    let breached = false;
    for (let look = 0; look < 8; look++) {
      await recordRuns(db, runs(1, 60, rand, { errorRate: 0.02 }));
      await recordRuns(db, runs(2, 60, rand, { errorRate: 0.12 }));
      const votes = Array.from({ length: 20 }, (_, i): FeedbackRecord => ({
        id: `fb-g-${look}-${i}`,
        name: 'greet',
        version: 1 + (i % 2),
        thumbs: rand() < (i % 2 ? 0.3 : 0.1) ? 'down' : 'up',
        at: after(100 + look),
      }));
      await recordFeedback(db, votes);
      const incremental = evaluateGuard(await foldArmCounts(db, key(1)), await foldArmCounts(db, key(2)), {
        minSamples: 50,
      });
      const full = evaluateGuard(
        await recountArmCounts(db, 'greet', 1, SINCE),
        await recountArmCounts(db, 'greet', 2, SINCE),
        { minSamples: 50 },
      );
      expect(incremental.breach).toBe(full.breach);
      expect(incremental.evidence).toBe(full.evidence);
      incremental.signals.forEach((s, i) => {
        expect(s.breach).toBe(full.signals[i]!.breach);
        expect(s.samples).toEqual(full.signals[i]!.samples);
        expect(s.statistic).toBeCloseTo(full.signals[i]!.statistic, 8);
      });
      breached ||= incremental.breach;
    }
    // The data was built to breach (error rate 2% → 12%): the comparison covered both verdicts.
    expect(breached).toBe(true);
  });
});
