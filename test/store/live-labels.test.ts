import { moveLabel, rollbackProduction } from '../../src/library/label-store';
import { LiveLabels } from '../../src/library/live-labels';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { describeEachStore } from '../support/store-backends';
import { eventually } from '../support/temporal';

// The API's label cache after a write through the same process: the resolve that follows serves the write, even when
// a poll of the feed was already out and had read it before the write committed (the API test that caught this saw
// version 2 served right after a rollback to 1, on PostgreSQL under load).

const ana = { subject: 'ana', admin: true, ownerRole: true };
const text = (t: string) => ({ type: 'text' as const, text: t, variables: [] });
const FEED = 'FROM label_moves WHERE seq >';

/**
 * The store, except that while held, a read of the label-move feed runs at once but answers only on release: the
 * poll that sent it is "in flight" with what the feed held before anything written meanwhile.
 */
function withHeldFeedReads(db: Db) {
  let held: Promise<void> | undefined;
  let release = () => {};
  let reads = 0;
  const gated: Db = Object.create(db) as Db;
  gated.all = async <T>(sql: string, params?: Parameters<Db['all']>[1]) => {
    const rows = await db.all<T>(sql, params);
    if (sql.includes(FEED) && held) {
      reads++;
      await held;
    }
    return rows;
  };
  return {
    db: gated,
    hold: () => (held = new Promise<void>((r) => (release = r))),
    release: () => {
      held = undefined;
      release();
    },
    heldReads: () => reads,
  };
}

describeEachStore('the live label cache after a write through this process', (backend) => {
  let db: Db;
  beforeEach(async () => {
    db = await openStore(await backend.freshUrl());
    for (const t of ['one', 'two']) await recordVersion(db, 'p', text(t), { rationale: t, author: 'ana' });
    await moveLabel(db, { name: 'p', label: 'production', version: 1, actor: ana, reason: 'launch' });
    await moveLabel(db, { name: 'p', label: 'production', version: 2, actor: ana, reason: 'v2' });
  });
  afterEach(() => db.close());

  test('a poll that read the feed before the write does not stand for the poll after it', async () => {
    const store = withHeldFeedReads(db);
    // No timer: the test drives the polls.
    const live = new LiveLabels(store.db, 3_600_000);
    await live.start();
    try {
      expect((await live.resolve('p', 'production')).version).toBe(2);

      void store.hold();
      const early = live.poll(); // reads the feed now, answers later
      await eventually(() => store.heldReads() === 1, 10_000, 'the early poll to read the feed');
      await rollbackProduction(db, { name: 'p', actor: ana, reason: 'v2 hurts' });
      const after = live.poll(); // what the API's rollback route awaits before it answers
      store.release();
      await Promise.all([early, after]);

      expect((await live.resolve('p', 'production')).version).toBe(1);
    } finally {
      live.stop();
    }
  });
});
