/**
 * The one query layer both backends serve. SQL is written once with `?` placeholders in the portable
 * subset of SQLite and PostgreSQL; the PostgreSQL adapter renumbers placeholders.
 */
/** Buffer: bytes for a BLOB (SQLite) or BYTEA (PostgreSQL) column, as in file_blobs. */
export type SqlValue = string | number | null | Buffer;

export interface RunResult {
  changes: number;
}

export interface Queryable {
  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: SqlValue[]): Promise<RunResult>;
}

export interface Db extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs fn in one transaction; concurrent writers are serialised by the backend's locking. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Resolves when the store answers a query: the health probe (GET /healthz). */
export async function pingStore(db: Queryable): Promise<void> {
  await db.get('SELECT 1 AS ok');
}
