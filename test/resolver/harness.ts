import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import { openStore } from '../../src/store/open';
import type { Db } from '../../src/store/db';
import type { ResolverError } from '../../src/resolver';

export const TOKEN = 'test-admin';
const ANA = { subject: 'ana', admin: true, ownerRole: true };

export interface Harness {
  db: Db;
  api: ApiServer;
  url: string;
  dir: string;
  /** Restarts the API on the same port (after api.close()), over the same store. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A real API server on 127.0.0.1 over a fresh SQLite store in a temp dir. */
export async function startHarness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refinery-resolver-'));
  const db = await openStore('sqlite:' + path.join(dir, 'store.db'));
  const h: Harness = {
    db,
    dir,
    api: await startApiServer(db, { port: 0, bootstrapToken: TOKEN, pollMs: 50 }),
    url: '',
    async restart() {
      const port = Number(new URL(h.url).port);
      h.api = await startApiServer(db, { port, bootstrapToken: TOKEN, pollMs: 50 });
    },
    async close() {
      await h.api.close().catch(() => undefined);
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  h.url = h.api.url;
  return h;
}

/** Records one version per text and points production at `production` (default the last). */
export async function seed(db: Db, name: string, texts: string[], production = texts.length): Promise<void> {
  for (const text of texts) {
    await recordVersion(db, name, { type: 'text', text, variables: [] }, { rationale: 'test', author: 'ana' });
  }
  await moveLabel(db, { name, label: 'production', version: production, actor: ANA, reason: 'seed' });
}

export async function count(db: Db, table: 'prompt_runs' | 'feedback', where = '1 = 1'): Promise<number> {
  const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`);
  return Number(row?.n ?? 0);
}

/** The URL of a fetch call's input, whichever form it takes. */
export function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** A fetch that records "METHOD /path" of each call before passing it on (or to `impl`). */
export function countingFetch(impl: typeof fetch = fetch): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(urlOf(input));
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    return impl(input, init);
  };
  return { fetch: wrapped, calls };
}

/** Collects what the resolver reports. */
export function errorSink(): { onError: (err: ResolverError) => void; errors: ResolverError[] } {
  const errors: ResolverError[] = [];
  return { onError: (err) => errors.push(err), errors };
}

/** Polls fn every intervalMs until it returns a truthy value; fails after timeoutMs. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 5000, intervalMs = 10): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
