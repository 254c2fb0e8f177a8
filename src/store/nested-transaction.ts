import type { Db, Queryable } from './db';

/**
 * The open transaction `tx` seen as a Db, so store functions that run their own transaction (recordVersion,
 * addDatasetVersion) can take part in an outer one: their `transaction(fn)` runs fn on `tx` and commits nothing
 * itself. Several writes then stand or fall together.
 */
export function inTransaction(db: Db, tx: Queryable): Db {
  return {
    dialect: db.dialect,
    all: (sql, params) => tx.all(sql, params),
    get: (sql, params) => tx.get(sql, params),
    run: (sql, params) => tx.run(sql, params),
    transaction: (fn) => fn(tx),
    exec: () => Promise.reject(new Error('exec is not available inside a transaction')),
    close: () => Promise.reject(new Error('close the outer store, not a transaction')),
  };
}
