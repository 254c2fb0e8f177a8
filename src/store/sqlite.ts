import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db, Queryable, RunResult, SqlValue } from './db';

const MAX_CACHED_STATEMENTS = 200;

/** Embedded SQLite through better-sqlite3 (synchronous; wrapped to the async query layer). */
export function openSqlite(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  // WAL lets the API read while a worker writes; busy_timeout covers the two-process case
  // (worker + CLI) instead of failing with SQLITE_BUSY at once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  // NORMAL under WAL: no fsync per commit, still durable across process crashes; a power loss can drop
  // the last commits, which the idempotent, retried activities then write again.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');

  // Compiling a statement costs more than running a small one: hot paths (a result per eval sample) reuse theirs.
  // Bounded, since some SQL is built per call (IN lists); the oldest statement is dropped first.
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let st = statements.get(sql);
    if (!st) {
      st = sqlite.prepare(sql);
      if (statements.size >= MAX_CACHED_STATEMENTS) statements.delete(statements.keys().next().value!);
      statements.set(sql, st);
    }
    return st;
  };
  const q: Queryable = {
    all: <T>(sql: string, params: SqlValue[] = []) => Promise.resolve(prepare(sql).all(...params) as T[]),
    get: <T>(sql: string, params: SqlValue[] = []) => Promise.resolve(prepare(sql).get(...params) as T | undefined),
    run: (sql: string, params: SqlValue[] = []): Promise<RunResult> =>
      Promise.resolve({ changes: prepare(sql).run(...params).changes }),
  };

  // better-sqlite3 transactions must be synchronous; an async callback would let other work
  // interleave inside it. Serialise async transactions with a promise chain and BEGIN IMMEDIATE.
  let chain: Promise<unknown> = Promise.resolve();
  const transaction = <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
    const next = chain.then(async () => {
      sqlite.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(q);
        sqlite.exec('COMMIT');
        return result;
      } catch (err) {
        sqlite.exec('ROLLBACK');
        throw err;
      }
    });
    chain = next.catch(() => undefined);
    return next;
  };

  return {
    dialect: 'sqlite',
    ...q,
    transaction,
    exec: (sql) => Promise.resolve(void sqlite.exec(sql)),
    close: () => Promise.resolve(void sqlite.close()),
  };
}
