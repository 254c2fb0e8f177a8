import { Pool, types, type CustomTypesConfig, type PoolClient, type QueryResult } from 'pg';
import { redact, redactUrl, urlSecrets } from '../providers/redact';
import type { Db, Queryable, RunResult, SqlValue } from './db';

/** PostgreSQL store: the common query layer, plus a cross-process lock (used around migrations). */
export interface PostgresDb extends Db {
  readonly dialect: 'postgres';
  /** Runs fn while holding a session advisory lock on one pooled connection; fn queries the pool as usual. */
  withLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
}

/** Serialization failure and deadlock: PostgreSQL aborted the transaction, running it again may succeed. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/**
 * Opens a pool on a postgres:// URL. Differences from SQLite that callers should know:
 * - transaction(fn) runs at READ COMMITTED on its own connection: for read-modify-write, lock the row
 *   (SELECT ... FOR UPDATE) or update in place (SET n = n + 1). On a serialization failure or deadlock
 *   the whole transaction is rolled back and fn runs again (up to 5 attempts), so fn must not have side
 *   effects outside the transaction, and must not use tx after it settles.
 * - A parameter needs a typed context (a column, or CAST(? AS INTEGER)): a bare `SELECT ?` comes back as text.
 */
export async function openPostgres(url: string): Promise<PostgresDb> {
  const pool = new Pool({
    connectionString: url,
    application_name: 'refinery',
    types: typeParsers,
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection that dies (server restart) is dropped by the pool and the next query connects
  // afresh; without a listener the 'error' event would crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end();
    // No cause: the driver's error object holds the connection parameters, password included.
    throw new Error(
      `cannot connect to PostgreSQL at ${redactUrl(url)}: ${redact((err as Error).message, urlSecrets(url))}`,
    );
  }

  const transaction = async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      const send = inOrder(client);
      let broken: Error | undefined;
      try {
        await send('BEGIN');
        const result = await fn(queryable(send));
        await send('COMMIT');
        return result;
      } catch (err) {
        // A failed ROLLBACK means the connection itself is gone: release(err) discards it.
        await send('ROLLBACK').catch((e: Error) => (broken = e));
        if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
      } finally {
        client.release(broken);
      }
      // Jittered, growing pause so the transactions that collided do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.min(200, 10 * 2 ** attempt) * (0.5 + Math.random())));
    }
  };

  const withLock = async <T>(key: number, fn: () => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [key]);
      return await fn();
    } finally {
      // Closing the session also frees the lock, so a failed unlock only costs this connection.
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch((e: Error) => (broken = e));
      client.release(broken);
    }
  };

  let ended: Promise<void> | undefined;
  return {
    dialect: 'postgres',
    ...queryable((text, values) => pool.query(text, values)),
    transaction,
    withLock,
    // No parameters: the simple query protocol, which accepts several statements in one string.
    exec: async (sql) => void (await pool.query(sql)),
    close: () => (ended ??= pool.end()),
  };
}

type Send = (text: string, values?: SqlValue[]) => Promise<QueryResult>;

/**
 * One connection's queries, one after another: fn may fire several at once (Promise.all), and a ROLLBACK
 * may follow a query still in flight; pg deprecates queueing on a busy client.
 */
function inOrder(client: PoolClient): Send {
  let tail: Promise<unknown> = Promise.resolve();
  return (text, values) => {
    const next = tail.then(() => client.query(text, values));
    tail = next.catch(() => undefined);
    return next;
  };
}

function queryable(send: Send): Queryable {
  const query = (sql: string, params: SqlValue[] = []): Promise<QueryResult> => {
    const { text, count } = toPositional(sql);
    if (count !== params.length) {
      throw new Error(`SQL has ${count} placeholders but ${params.length} values were given: ${sql}`);
    }
    return send(text, params);
  };
  return {
    all: async <T>(sql: string, params?: SqlValue[]) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: SqlValue[]) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: SqlValue[]): Promise<RunResult> => ({
      changes: (await query(sql, params)).rowCount ?? 0,
    }),
  };
}

const positionalCache = new Map<string, { text: string; count: number }>();

/**
 * Rewrites `?` placeholders to $1..$n, skipping '...' literals, "..." identifiers and comments. A doubled
 * quote inside a literal ('it''s') reads as two adjacent literals, which skips the same characters.
 * (PostgreSQL's jsonb `?` operators cannot be written here: use jsonb_exists() instead.)
 */
export function toPositional(sql: string): { text: string; count: number } {
  const cached = positionalCache.get(sql);
  if (cached) return cached;
  let text = '';
  let count = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const end =
      c === "'" || c === '"'
        ? closing(sql, c, i + 1, 1)
        : c === '-' && sql[i + 1] === '-'
          ? closing(sql, '\n', i + 2, 1)
          : c === '/' && sql[i + 1] === '*'
            ? closing(sql, '*/', i + 2, 2)
            : i + 1;
    text += c === '?' ? `$${++count}` : sql.slice(i, end);
    i = end;
  }
  // Statements come from a fixed set in the code: the cache stays small, the bound is a safety net.
  if (positionalCache.size >= 1000) positionalCache.clear();
  const result = { text, count };
  positionalCache.set(sql, result);
  return result;
}

/** Index just past the first `token` at or after `from`, or the end of sql when it is unterminated. */
function closing(sql: string, token: string, from: number, length: number): number {
  const at = sql.indexOf(token, from);
  return at === -1 ? sql.length : at + length;
}

/** BIGINT (COUNT, SUM) and NUMERIC (AVG) arrive as strings by default; SQLite gives numbers. */
const INT8 = 20;
const NUMERIC = 1700;
const parseInt8 = (v: string): number | string => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v; // beyond 2^53 a number would be wrong: keep the exact text
};
const builtinParser = types.getTypeParser as (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;
const typeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 && format !== 'binary') return parseInt8;
    if (oid === NUMERIC && format !== 'binary') return Number;
    return builtinParser(oid, format);
  }) as CustomTypesConfig['getTypeParser'],
};
