import { ResultWriter } from '../../src/activities/eval/result-writer';
import type { Db } from '../../src/store/db';
import {
  doneSamples,
  getCachedResponse,
  getResults,
  putCachedResponses,
  putResults,
  type StoredResult,
} from '../../src/store/evals';
import { describeEachStore } from '../support/store-backends';

const result = (caseId: string, sample = 0, output = `out ${caseId}`): StoredResult => ({
  caseId,
  sample,
  status: 'pass',
  score: 1,
  judgeScore: null,
  output,
  latencyMs: 100,
  inputTokens: 3,
  outputTokens: 4,
  costUsd: 0.001,
  cached: false,
  assertions: [{ type: 'contains', pass: true, score: 1, weight: 1, reason: 'found' }],
  error: null,
});

/** Counts the transactions a store runs, to see how writes were grouped. */
function counting(db: Db): { db: Db; transactions: () => number } {
  let n = 0;
  const transaction: Db['transaction'] = (fn) => {
    n++;
    return db.transaction(fn);
  };
  return { db: { ...db, transaction }, transactions: () => n };
}

describeEachStore('eval results and the response cache in bulk', (backend) => {
  let db: Db;
  beforeAll(async () => (db = await backend.open()));

  test('results go in many rows at once; a stored sample keeps its first result; done samples narrow to given cases', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `c${i}`);
    await putResults(
      db,
      'run-a',
      ids.map((id) => result(id)),
    );
    await putResults(db, 'run-a', [result('c7', 0, 'second answer'), result('c7', 1)]);
    await putResults(db, 'run-b', [result('c7', 0, 'another run')]);

    const stored = await getResults(db, 'run-a');
    expect(stored).toHaveLength(251);
    expect(stored.find((r) => r.caseId === 'c7' && r.sample === 0)).toEqual(result('c7'));
    expect(stored.find((r) => r.caseId === 'c7' && r.sample === 1)).toEqual(result('c7', 1));

    expect((await doneSamples(db, 'run-a')).size).toBe(251);
    // More ids than one statement takes, some never stored, one of another run only.
    const asked = [...ids.slice(90, 230), 'c7', 'x1', 'x2'];
    const done = await doneSamples(db, 'run-a', asked);
    expect([...done].sort()).toEqual([...ids.slice(90, 230).map((id) => `${id}#0`), 'c7#0', 'c7#1'].sort());
    expect([...(await doneSamples(db, 'run-b', ['c7', 'c8']))]).toEqual(['c7#0']);
    expect((await doneSamples(db, 'run-a', [])).size).toBe(0);
  });

  test('cache entries: one row per key, the first answer wins, within a call and across calls', async () => {
    await putCachedResponses(db, [
      { key: 'k-b', text: 'first b', inputTokens: 1, outputTokens: 2 },
      { key: 'k-a', text: 'first a', inputTokens: 1, outputTokens: 2 },
      { key: 'k-b', text: 'second b', inputTokens: 9, outputTokens: 9 },
    ]);
    await putCachedResponses(db, [{ key: 'k-a', text: 'later a', inputTokens: 9, outputTokens: 9 }]);
    expect(await getCachedResponse(db, 'k-a')).toEqual({ text: 'first a', inputTokens: 1, outputTokens: 2 });
    expect(await getCachedResponse(db, 'k-b')).toEqual({ text: 'first b', inputTokens: 1, outputTokens: 2 });
  });

  test('the writer groups what arrives in one turn into one transaction, and stores each sample once committed', async () => {
    const c = counting(db);
    const writer = new ResultWriter(c.db, 'run-w');
    const stores: Promise<void>[] = [];
    for (let i = 0; i < 120; i++) {
      writer.cacheResponse(`w-${i}`, { text: `answer ${i}`, inputTokens: 1, outputTokens: 1 });
      stores.push(writer.store(result(`w${i}`)));
    }
    await Promise.all(stores);
    expect(c.transactions()).toBe(1);
    expect(await getResults(db, 'run-w')).toHaveLength(120);
    expect(await getCachedResponse(db, 'w-119')).toEqual({ text: 'answer 119', inputTokens: 1, outputTokens: 1 });

    // What arrives while a write runs goes in the next one; drained() waits for both.
    const first = writer.store(result('late-1'));
    await new Promise<void>((r) => setImmediate(r));
    const second = writer.store(result('late-2'));
    writer.cacheResponse('w-late', { text: 'late', inputTokens: 1, outputTokens: 1 });
    await writer.drained();
    await Promise.all([first, second]);
    expect((await getResults(db, 'run-w')).map((r) => r.caseId)).toEqual(expect.arrayContaining(['late-1', 'late-2']));
    expect(await getCachedResponse(db, 'w-late')).toBeDefined();
    expect(c.transactions()).toBeLessThanOrEqual(3);
  });

  test('a failed write rejects the samples it held, and the writer goes on with the next group', async () => {
    let fail = true;
    const flaky: Db = {
      ...db,
      transaction: (fn) => (fail ? Promise.reject(new Error('disk full')) : db.transaction(fn)),
    };
    const writer = new ResultWriter(flaky, 'run-f');
    await expect(writer.store(result('f1'))).rejects.toThrow('disk full');
    fail = false;
    await writer.store(result('f2'));
    await writer.drained();
    expect((await getResults(db, 'run-f')).map((r) => r.caseId)).toEqual(['f2']);
  });
});
