import { openStore } from '../../src/store/open';
import { closeOpenRun, openRuns } from '../../src/store/open-runs';
import { storeIdentity, storeLabel } from '../../src/store/store-identity';
import { createEvalRun, finishEvalRun } from '../../src/store/evals';
import { createTuneRun, finishTuneRun } from '../../src/store/tune-runs';
import { describeEachStore } from '../support/store-backends';

describeEachStore('store identity and open runs', (backend) => {
  test('the id is written once: every open, and every reopen, sees the same', async () => {
    const url = await backend.freshUrl();
    // PostgreSQL: three opens at once, as workers and the API starting together. SQLite: one after the other
    // (concurrent first opens in one process wait on each other's file lock; across processes busy_timeout covers them).
    const stores =
      backend.name === 'postgres'
        ? await Promise.all([openStore(url), openStore(url), openStore(url)])
        : [await openStore(url), await openStore(url), await openStore(url)];
    let id: string;
    try {
      const ids = await Promise.all(stores.map((s) => storeIdentity(s)));
      expect(new Set(ids.map((i) => i.id)).size).toBe(1);
      id = ids[0]!.id;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      // The label says where the store lives, never who logs in to it.
      expect(ids[0]!.label).toBe(storeLabel(url));
      expect(ids[0]!.label).not.toMatch(/\/\/[^/@]*@/);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    const again = await openStore(url);
    try {
      expect((await storeIdentity(again)).id).toBe(id);
    } finally {
      await again.close();
    }
    // Another store is another id.
    expect((await storeIdentity(await backend.open())).id).not.toBe(id);
  });

  test('an open row is closed once, with why; a finished row is never touched', async () => {
    const db = await backend.open();
    const tune = { runId: 'tune-a-1', workflowId: 'tune-a-1', skills: ['a'], settings: {}, startedBy: 't' };
    await createTuneRun(db, tune);
    await createTuneRun(db, { ...tune, runId: 'tune-b-1', workflowId: 'tune-b-1' });
    await finishTuneRun(db, 'tune-b-1', { status: 'completed', termination: 'threshold-met' });
    const evalRun = { target: 'p', targetVersion: 1, dataset: 'd', datasetVersion: 1, settings: {} };
    await createEvalRun(db, { ...evalRun, runId: 'eval-p-1' });
    await createEvalRun(db, { ...evalRun, runId: 'eval-p-2' });
    await finishEvalRun(db, 'eval-p-2', { status: 'completed', summary: {}, gate: undefined });

    // Rows started in the same millisecond come in either order: compare the set.
    expect((await openRuns(db, 10)).map((r) => [r.kind, r.runId, r.workflowId]).sort()).toEqual([
      ['eval', 'eval-p-1', 'eval-p-1'],
      ['tune', 'tune-a-1', 'tune-a-1'],
    ]);
    expect(await closeOpenRun(db, { kind: 'tune', runId: 'tune-a-1' }, 'failed', 'workflow-terminated')).toBe(true);
    expect(await closeOpenRun(db, { kind: 'tune', runId: 'tune-a-1' }, 'cancelled', 'workflow-cancelled')).toBe(false);
    expect(await closeOpenRun(db, { kind: 'tune', runId: 'tune-b-1' }, 'failed', 'workflow-failed')).toBe(false);
    expect(await closeOpenRun(db, { kind: 'eval', runId: 'eval-p-1' }, 'failed', 'workflow-failed')).toBe(true);
    expect(await closeOpenRun(db, { kind: 'eval', runId: 'eval-p-2' }, 'failed', 'workflow-failed')).toBe(false);

    expect(await db.all('SELECT run_id, status, termination FROM tune_runs ORDER BY run_id')).toEqual([
      { run_id: 'tune-a-1', status: 'failed', termination: 'workflow-terminated' },
      { run_id: 'tune-b-1', status: 'completed', termination: 'threshold-met' },
    ]);
    expect(await db.all('SELECT run_id, status FROM eval_runs ORDER BY run_id')).toEqual([
      { run_id: 'eval-p-1', status: 'failed' },
      { run_id: 'eval-p-2', status: 'completed' },
    ]);
    expect(await openRuns(db, 10)).toEqual([]);
  });
});
