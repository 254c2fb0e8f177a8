import { applySideEffectOnce, recordActivityAttempt } from '../../src/activities/self-check-store';
import { iterationScores } from '../../src/dashboard/dashboard-store';
import { searchItemNames } from '../../src/library/library-store';
import { lowRatedRuns, recordFeedback, recordRuns } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import { countWorkflowRunsPerDay, recentTuneScores } from '../../src/metrics/metrics-store';
import { recordRolloutEvent } from '../../src/rollout/rollout-store';
import { pingStore, type Db } from '../../src/store/db';
import { createTuneRun, listIterationRecords, recordIteration, tuneRunStartedAt } from '../../src/store/tune-runs';
import { describeEachStore } from '../support/store-backends';

// Queries that moved out of activities, routes, the dashboard and the metrics into store modules: each named
// function gives the same answer on both backends. The callers' own tests (test/api/dashboard.test.ts,
// test/api/metrics.test.ts, test/store/library.test.ts, the rollout and self-check integration tests) cover
// the rest through them.
describeEachStore('named store queries', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });

  test('pingStore answers on a reachable store', async () => {
    await expect(pingStore(db)).resolves.toBeUndefined();
  });

  test('a rollout event is recorded once per (rollout, index)', async () => {
    const e = { rolloutId: 'r-1', index: 0, kind: 'started', detail: '10%' };
    expect(await recordRolloutEvent(db, e)).toBe(true);
    expect(await recordRolloutEvent(db, { ...e, detail: 'again' })).toBe(false);
    expect(await recordRolloutEvent(db, { ...e, index: 1, kind: 'step' })).toBe(true);
    const rows = await db.all<{ event_index: number; kind: string; detail: string }>(
      'SELECT event_index, kind, detail FROM rollout_events WHERE rollout_id = ? ORDER BY event_index',
      ['r-1'],
    );
    expect(rows.map((r) => [Number(r.event_index), r.kind, r.detail])).toEqual([
      [0, 'started', '10%'],
      [1, 'step', '10%'],
    ]);
  });

  test('a keyed side effect applies once; each attempt is noted once', async () => {
    const at = '2026-01-01T00:00:00.000Z';
    await recordActivityAttempt(db, { effectKey: 'k', attempt: 1, workerPid: 7, startedAt: at });
    await recordActivityAttempt(db, { effectKey: 'k', attempt: 1, workerPid: 8, startedAt: at });
    await recordActivityAttempt(db, { effectKey: 'k', attempt: 2, workerPid: 9, startedAt: at });
    expect(await applySideEffectOnce(db, { effectKey: 'k', payload: { workflowId: 'w' }, appliedAt: at })).toBe(true);
    expect(await applySideEffectOnce(db, { effectKey: 'k', payload: { workflowId: 'x' }, appliedAt: at })).toBe(false);
    const attempts = await db.all<{ attempt: number; worker_pid: number }>(
      'SELECT attempt, worker_pid FROM activity_attempts WHERE effect_key = ? ORDER BY attempt',
      ['k'],
    );
    expect(attempts.map((a) => [Number(a.attempt), Number(a.worker_pid)])).toEqual([
      [1, 7],
      [2, 9],
    ]);
    const effect = await db.get<{ payload: string }>('SELECT payload FROM side_effects WHERE effect_key = ?', ['k']);
    expect(JSON.parse(effect!.payload)).toEqual({ workflowId: 'w' });
  });

  test("a tune run's iteration records come back in order, with its start time", async () => {
    await createTuneRun(db, { runId: 'tr-1', workflowId: 'wf-1', skills: ['s'], settings: {}, startedBy: 'ana' });
    await recordIteration(db, 'tr-1', 2, 0.5, { iteration: 2 });
    await recordIteration(db, 'tr-1', 1, null, { iteration: 1 });
    expect(await listIterationRecords(db, 'tr-1')).toEqual([{ iteration: 1 }, { iteration: 2 }]);
    expect(await tuneRunStartedAt(db, 'tr-1')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await tuneRunStartedAt(db, 'no-such-run')).toBeUndefined();
    expect(await listIterationRecords(db, 'no-such-run')).toEqual([]);
    expect((await iterationScores(db, ['tr-1'])).map((r) => [Number(r.iteration), r.score])).toEqual([
      [1, null],
      [2, 0.5],
    ]);
    expect(await iterationScores(db, [])).toEqual([]);
    const scores = await recentTuneScores(db, 5);
    expect(scores.map((r) => [r.run_id, r.best_score, Number(r.best_iteration)])).toEqual([['tr-1', null, 0.5]]);
    const day = (await tuneRunStartedAt(db, 'tr-1'))!.slice(0, 10);
    const perDay = await countWorkflowRunsPerDay(db, `${day}T00:00:00.000Z`);
    expect(perDay.map((r) => [r.type, r.status, r.day, Number(r.n)])).toEqual([['tune', 'running', day, 1]]);
  });

  test('item search filters by name, owner, kind, tag and free text', async () => {
    const text = (t: string) => ({ type: 'text' as const, text: t, variables: [] });
    await recordVersion(db, 'alpha', text('a'), { rationale: 'r', author: 'ana', item: { tags: ['x', 'faq'] } });
    await recordVersion(db, 'beta', text('b'), {
      rationale: 'r',
      author: 'bob',
      item: { description: 'Answers FAQ' },
    });
    expect(await searchItemNames(db, {}, 10)).toEqual(['alpha', 'beta']);
    expect(await searchItemNames(db, {}, 1)).toEqual(['alpha']);
    expect(await searchItemNames(db, { owner: 'bob' }, 10)).toEqual(['beta']);
    expect(await searchItemNames(db, { tag: 'faq' }, 10)).toEqual(['alpha']);
    expect(await searchItemNames(db, { tag: 'fa' }, 10)).toEqual([]);
    expect(await searchItemNames(db, { q: 'faq' }, 10)).toEqual(['alpha', 'beta']);
    expect(await searchItemNames(db, { q: 'faq', name: 'beta', kind: 'prompt' }, 10)).toEqual(['beta']);
    expect(await searchItemNames(db, { kind: 'skill' }, 10)).toEqual([]);
  });

  test('low-rated feedback comes newest first with its run, filtered by version and rating', async () => {
    const text = (t: string) => ({ type: 'text' as const, text: t, variables: [] });
    await recordVersion(db, 'gamma', text('g1'), { rationale: 'r', author: 'ana' });
    await recordVersion(db, 'gamma', text('g2'), { rationale: 'r', author: 'ana' });
    await recordRuns(db, [
      { id: 'run-0001', name: 'gamma', version: 1, input: 'hi', corrected: true, regenerated: false },
      { id: 'run-0002', name: 'gamma', version: 2, corrected: false, regenerated: false, formatOk: false },
    ]);
    await recordFeedback(db, [
      { id: 'fb-00001', runId: 'run-0001', thumbs: 'down', at: '2026-01-01T00:00:00.000Z' },
      { id: 'fb-00002', runId: 'run-0002', rating: 2, at: '2026-01-02T00:00:00.000Z' },
      { id: 'fb-00003', runId: 'run-0002', rating: 4, at: '2026-01-03T00:00:00.000Z' },
      { id: 'fb-00004', name: 'gamma', version: 2, rating: 1, at: '2026-01-04T00:00:00.000Z' },
    ]);
    const all = await lowRatedRuns(db, 'gamma');
    expect(all.map((f) => [f.feedbackId, f.version, f.thumbs, f.rating, f.run?.id ?? null])).toEqual([
      ['fb-00004', 2, null, 1, null],
      ['fb-00002', 2, null, 2, 'run-0002'],
      ['fb-00001', 1, 'down', null, 'run-0001'],
    ]);
    expect(all[2]!.run).toMatchObject({ input: 'hi', corrected: true, regenerated: false, formatOk: null });
    expect(all[1]!.run).toMatchObject({ input: null, formatOk: false });
    expect((await lowRatedRuns(db, 'gamma', { version: 2, maxRating: 1 })).map((f) => f.feedbackId)).toEqual([
      'fb-00004',
    ]);
    expect((await lowRatedRuns(db, 'gamma', { limit: 1 })).map((f) => f.feedbackId)).toEqual(['fb-00004']);
  });
});
