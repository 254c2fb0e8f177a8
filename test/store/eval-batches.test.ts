import type { Db } from '../../src/store/db';
import {
  claimedEvalBatchIds,
  getEvalBatch,
  openEvalBatchIntents,
  recordEvalBatchIntent,
  setEvalBatchId,
} from '../../src/store/eval-batches';
import { describeEachStore } from '../support/store-backends';

const intent = (key: string, createdAt: string, items = 2) => ({
  batchKey: key,
  runId: 'run-1',
  chunk: 0,
  provider: 'anthropic',
  model: 'claude-sonnet-4-6',
  marker: `rf-${key}`,
  items: Array.from({ length: items }, (_, i) => ({ customId: `rf-${key}-${i}`, caseId: `q${i}`, sample: 0 })),
  createdAt,
});

describeEachStore('the eval batch intent store', (backend) => {
  let db: Db;
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(() => db.close());

  test('an intent is on record before its batch id; the id is set once', async () => {
    const recorded = await recordEvalBatchIntent(db, intent('a', '2026-01-01T00:00:00.000Z'));
    expect(recorded).toMatchObject({ batchKey: 'a', batchId: null, foundBy: null, chunk: 0 });
    expect(recorded.items).toHaveLength(2);
    expect(await openEvalBatchIntents(db, 'anthropic', '2025-12-31T00:00:00.000Z')).toHaveLength(1);

    expect(await setEvalBatchId(db, 'a', 'msgbatch_1', 'adopted')).toBe(true);
    expect(await setEvalBatchId(db, 'a', 'msgbatch_2', 'submitted')).toBe(false);
    expect(await getEvalBatch(db, 'a')).toMatchObject({ batchId: 'msgbatch_1', foundBy: 'adopted' });
    expect(await openEvalBatchIntents(db, 'anthropic', '2025-12-31T00:00:00.000Z')).toEqual([]);
  });

  test('a second intent for the key keeps the first time and takes the new items; a stored batch is never touched', async () => {
    await recordEvalBatchIntent(db, intent('a', '2026-01-01T00:00:00.000Z', 3));
    const again = await recordEvalBatchIntent(db, intent('a', '2026-01-01T01:00:00.000Z', 2));
    expect(again.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(again.items).toHaveLength(2);

    await setEvalBatchId(db, 'a', 'msgbatch_1', 'submitted');
    const after = await recordEvalBatchIntent(db, intent('a', '2026-01-01T02:00:00.000Z', 5));
    expect(after).toMatchObject({ batchId: 'msgbatch_1', foundBy: 'submitted' });
    expect(after.items).toHaveLength(2);
  });

  test('claimed ids are those other chunks hold, per provider, since a time', async () => {
    await recordEvalBatchIntent(db, intent('old', '2025-06-01T00:00:00.000Z'));
    await setEvalBatchId(db, 'old', 'msgbatch_old', 'submitted');
    await recordEvalBatchIntent(db, intent('new', '2026-01-01T00:00:00.000Z'));
    await setEvalBatchId(db, 'new', 'msgbatch_new', 'submitted');
    await recordEvalBatchIntent(db, { ...intent('gem', '2026-01-01T00:00:00.000Z'), provider: 'gemini' });
    await setEvalBatchId(db, 'gem', 'batches/1', 'submitted');
    await recordEvalBatchIntent(db, intent('open', '2026-01-01T00:00:00.000Z'));

    expect([...(await claimedEvalBatchIds(db, 'anthropic', '2025-12-01T00:00:00.000Z'))]).toEqual(['msgbatch_new']);
    expect((await openEvalBatchIntents(db, 'anthropic', '2025-12-01T00:00:00.000Z')).map((r) => r.batchKey)).toEqual([
      'open',
    ]);
  });
});
