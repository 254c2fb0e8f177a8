import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { sharedTestEnv } from './shared-env';
import { tempDir } from './temporal';

export type StoreName = 'sqlite' | 'postgres';

export interface StoreBackend {
  name: StoreName;
  /** A fresh, isolated, migrated store; closed (and on PostgreSQL dropped) after the enclosing describe. */
  open(): Promise<Db>;
  /** The URL of a fresh, empty, unmigrated store, for tests that open it themselves (and close it). */
  freshUrl(): Promise<string>;
}

/** Runs the same tests against SQLite and PostgreSQL: `${title} [sqlite]` and `${title} [postgres]`. */
export function describeEachStore(title: string, fn: (backend: StoreBackend) => void): void {
  describe.each(['sqlite', 'postgres'] as const)(`${title.replace(/%/g, '%%')} [%s]`, (name) => fn(storeBackend(name)));
}

/** One backend; call it inside a describe block, which gets the afterAll that cleans up. */
export function storeBackend(name: StoreName): StoreBackend {
  const opened: Db[] = [];
  const databases: string[] = [];
  const freshUrl = async () => {
    if (name === 'sqlite') return `sqlite:${path.join(tempDir('store'), 'refinery.db')}`;
    const database = await createDatabase();
    databases.push(database);
    return withDatabase(sharedTestEnv().postgresUrl, database);
  };
  afterAll(async () => {
    // Pools first: a database with open sessions cannot be dropped without FORCE cutting them off.
    await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
    if (databases.length > 0) await dropDatabases(databases);
  });
  return {
    name,
    freshUrl,
    async open() {
      const db = await openStore(await freshUrl());
      opened.push(db);
      return db;
    },
  };
}

// Names carry their creation time, so a run can sweep what crashed runs left behind without touching
// the databases of a run going on at the same time.
const PREFIX = 'refinery_t_';
const STALE_MS = 24 * 60 * 60 * 1000;
let swept: Promise<void> | undefined;

async function createDatabase(): Promise<string> {
  swept ??= sweepStale().catch(() => undefined);
  await swept;
  const name = `${PREFIX}${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  return name;
}

async function dropDatabases(names: string[]): Promise<void> {
  await withAdmin(async (admin) => {
    for (const name of names) await dropOne(admin, name);
  });
}

/**
 * FORCE cannot end an autovacuum worker that happens to be in the fresh database (it belongs to no role:
 * error 42501); the worker finishes in moments, so the drop is tried again until a deadline.
 */
async function dropOne(admin: Client, name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '42501' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function sweepStale(): Promise<void> {
  const { rows } = await withAdmin((admin) =>
    admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [PREFIX]),
  );
  const stale = rows
    .map((r) => r.datname)
    .filter((n) => Date.now() - parseInt(n.slice(PREFIX.length).split('_')[0]!, 36) > STALE_MS);
  if (stale.length > 0) await dropDatabases(stale);
}

/** A short-lived connection to the shared server's own database, to create and drop test databases. */
async function withAdmin<T>(fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: sharedTestEnv().postgresUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
