import type { Db } from '../../src/store/db';
import { migrations } from '../../src/store/migrations';
import { openStore } from '../../src/store/open';
import { toPositional } from '../../src/store/postgres';
import { describeEachStore } from '../support/store-backends';

describe('placeholder rewriting', () => {
  test('numbers ? outside literals, identifiers and comments', () => {
    expect(toPositional(`SELECT ?, '?', 'it''s ?', "a?b", ? -- ? \n, ? /* ? */ FROM t WHERE x = ?`)).toEqual({
      text: `SELECT $1, '?', 'it''s ?', "a?b", $2 -- ? \n, $3 /* ? */ FROM t WHERE x = $4`,
      count: 4,
    });
    expect(toPositional(`SELECT 'unterminated ?`)).toEqual({ text: `SELECT 'unterminated ?`, count: 0 });
  });
});

describeEachStore('the store adapter', (backend) => {
  let db: Db;
  beforeEach(async () => {
    db = await backend.open();
    // Several statements in one exec, as migrations do.
    await db.exec(`
      CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT NOT NULL, n INTEGER NOT NULL);
      CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
      INSERT INTO counter (id, n) VALUES (1, 0), (2, 0);`);
  });
  afterEach(() => db.close());

  const count = async () => (await db.get<{ c: number }>('SELECT COUNT(*) AS c FROM t'))!.c;
  const counter = async (id = 1) => (await db.get<{ n: number }>('SELECT n FROM counter WHERE id = ?', [id]))!.n;

  test('? inside string literals, identifiers and comments is not a placeholder', async () => {
    await db.run(`INSERT INTO t (id, label, n) VALUES (?, 'what? it''s ?', ?)`, [1, 5]);
    const row = await db.get(
      `SELECT "label", n FROM t -- why?
       WHERE id = ? AND label <> '?' /* and? */ AND n = ?`,
      [1, 5],
    );
    expect(row).toEqual({ label: "what? it's ?", n: 5 });
    await expect(async () => db.get('SELECT n FROM t WHERE id = ?', [1, 2])).rejects.toHaveProperty('message'); // realm-independent: SqliteError may come from another test file's realm
  });

  test('run counts changed rows; get is undefined and all empty when nothing matches', async () => {
    for (const [id, n] of [
      [1, 1],
      [2, 2],
      [3, 3],
    ]) {
      expect(await db.run('INSERT INTO t (id, label, n) VALUES (?, ?, ?)', [id!, `row ${id}`, n!])).toEqual({
        changes: 1,
      });
    }
    expect(await db.run('UPDATE t SET n = n + 10 WHERE n > ?', [1])).toEqual({ changes: 2 });
    expect(await db.run('DELETE FROM t WHERE id = ?', [404])).toEqual({ changes: 0 });
    expect(await db.get('SELECT * FROM t WHERE id = ?', [404])).toBeUndefined();
    expect(await db.all('SELECT * FROM t WHERE id > ?', [404])).toEqual([]);
  });

  test('a transaction commits its writes and returns its result', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.run(`INSERT INTO t (id, label, n) VALUES (1, 'a', 1)`);
      await tx.run(`INSERT INTO t (id, label, n) VALUES (2, 'b', 2)`);
      return (await tx.get<{ c: number }>('SELECT COUNT(*) AS c FROM t'))!.c;
    });
    expect(result).toBe(2);
    expect(await count()).toBe(2);
  });

  test('an error inside a transaction rolls all of it back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.run(`INSERT INTO t (id, label, n) VALUES (1, 'a', 1)`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.run(`INSERT INTO t (id, label, n) VALUES (1, 'a', 1)`);
        await tx.run(`INSERT INTO t (id, label, n) VALUES (1, 'duplicate', 1)`);
      }),
    ).rejects.toHaveProperty('message'); // realm-independent: SqliteError may come from another test file's realm
    expect(await count()).toBe(0);
  });

  test('queries fired together inside a transaction all run; one in flight at a rollback is rolled back', async () => {
    await db.transaction((tx) =>
      Promise.all([1, 2, 3, 4, 5].map((id) => tx.run(`INSERT INTO t (id, label, n) VALUES (?, 'x', 0)`, [id]))),
    );
    await expect(
      db.transaction((tx) => {
        void tx.run(`INSERT INTO t (id, label, n) VALUES (6, 'in flight', 0)`).catch(() => undefined);
        return Promise.reject(new Error('early'));
      }),
    ).rejects.toThrow('early');
    expect(await count()).toBe(5);
  });

  test('10 parallel workers incrementing one counter 50 times lose no update', async () => {
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 5; i++) await db.transaction((tx) => tx.run('UPDATE counter SET n = n + 1 WHERE id = 1'));
      }),
    );
    expect(await counter()).toBe(50);
  });

  test('read-modify-write in a transaction loses no update (PostgreSQL: under SELECT ... FOR UPDATE)', async () => {
    const lock = backend.name === 'postgres' ? ' FOR UPDATE' : '';
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 5; i++) {
          await db.transaction(async (tx) => {
            const { n } = (await tx.get<{ n: number }>(`SELECT n FROM counter WHERE id = 1${lock}`))!;
            await new Promise((r) => setImmediate(r)); // let the other workers run between read and write
            await tx.run('UPDATE counter SET n = ? WHERE id = 1', [n + 1]);
          });
        }
      }),
    );
    expect(await counter()).toBe(50);
  });

  test('integers and aggregates come back as JS numbers', async () => {
    for (const n of [1, 2, 3]) await db.run('INSERT INTO t (id, label, n) VALUES (?, ?, ?)', [n, 'x', n]);
    const row = await db.get(
      'SELECT COUNT(*) AS c, SUM(n) AS s, MAX(n) AS m, AVG(n) AS a, CAST(? AS BIGINT) AS big FROM t',
      [2 ** 40],
    );
    expect(row).toEqual({ c: 3, s: 6, m: 3, a: 2, big: 2 ** 40 });
  });

  test('migrations are idempotent: opening the same database twice', async () => {
    const url = await backend.freshUrl();
    for (let i = 0; i < 2; i++) {
      const store = await openStore(url);
      expect(
        (await store.all<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id')).map((r) => r.id),
      ).toEqual(migrations.map((m) => m.id));
      await store.close();
    }
  });

  if (backend.name !== 'postgres') return;

  test('PostgreSQL: stores opened at once on one fresh database all migrate it exactly once', async () => {
    const url = await backend.freshUrl();
    const stores = await Promise.all([openStore(url), openStore(url), openStore(url)]);
    try {
      const ids = await stores[2].all<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
      expect(ids.map((r) => r.id)).toEqual(migrations.map((m) => m.id));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('PostgreSQL: a deadlock victim is rolled back and run again', async () => {
    let attempts = 0;
    let arrived = 0;
    let release!: () => void;
    const bothHoldTheirFirstRow = new Promise<void>((r) => (release = r));
    const worker = (first: number, second: number) =>
      db.transaction(async (tx) => {
        attempts++;
        await tx.run('UPDATE counter SET n = n + 1 WHERE id = ?', [first]);
        if (++arrived === 2) release();
        await bothHoldTheirFirstRow; // resolved already when the victim runs again
        await tx.run('UPDATE counter SET n = n + 1 WHERE id = ?', [second]);
      });
    await Promise.all([worker(1, 2), worker(2, 1)]);
    expect(attempts).toBe(3);
    expect([await counter(1), await counter(2)]).toEqual([2, 2]);
  });

  test('PostgreSQL: serialization failures are retried a few times, other errors never', async () => {
    const conflict = () => Object.assign(new Error('could not serialize access'), { code: '40001' });
    let calls = 0;
    const result = await db.transaction(async (tx) => {
      calls++;
      await tx.run(`INSERT INTO t (id, label, n) VALUES (?, 'x', 0)`, [calls]);
      if (calls === 1) throw conflict();
      return calls;
    });
    expect(result).toBe(2);
    expect(await db.all('SELECT id FROM t')).toEqual([{ id: 2 }]);

    calls = 0;
    const failing = (error: Error) => () => {
      calls++;
      return Promise.reject(error);
    };
    await expect(db.transaction(failing(conflict()))).rejects.toThrow('could not serialize');
    expect(calls).toBe(5);
    calls = 0;
    await expect(db.transaction(failing(new Error('plain')))).rejects.toThrow('plain');
    expect(calls).toBe(1);
  });

  test('PostgreSQL: a BIGINT beyond 2^53 keeps its exact digits as a string', async () => {
    expect(await db.get(`SELECT CAST('9007199254740993' AS BIGINT) AS big`)).toEqual({ big: '9007199254740993' });
  });
});
