import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OpenFeature } from '@openfeature/server-sdk';
import { startApiServer, type ApiServer } from '../../src/api/server';
import type { LibraryContent } from '../../src/library/content';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';

export const TOKEN = 'test-admin';
const ANA = { subject: 'ana', admin: true, ownerRole: true };

export interface Harness {
  db: Db;
  api: ApiServer;
  url: string;
  close(): Promise<void>;
}

/** A real API server on 127.0.0.1 over a fresh SQLite store in a temp dir. */
export async function startHarness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refinery-openfeature-'));
  const db = await openStore('sqlite:' + path.join(dir, 'store.db'));
  const api = await startApiServer(db, { port: 0, bootstrapToken: TOKEN, pollMs: 50 });
  return {
    db,
    api,
    url: api.url,
    async close() {
      await api.close().catch(() => undefined);
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Records each content as a new version of `name`; returns nothing, versions are 1..n in order. */
export async function push(db: Db, name: string, contents: LibraryContent[]): Promise<void> {
  for (const content of contents) await recordVersion(db, name, content, { rationale: 'test', author: 'ana' });
}

export const text = (t: string): LibraryContent => ({ type: 'text', text: t, variables: [] });

export async function label(db: Db, name: string, version: number, to = 'production'): Promise<void> {
  await moveLabel(db, { name, label: to, version, actor: ANA, reason: 'test' });
}

/** A fetch that records the URL of each call before passing it on. */
export function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const wrapped: typeof fetch = (input, init) => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return fetch(input, init);
  };
  return { fetch: wrapped, urls };
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

/** The SDK is a process-wide singleton: every test starts from no provider and no global context. */
export async function resetOpenFeature(): Promise<void> {
  await OpenFeature.close();
  await OpenFeature.clearProviders();
  OpenFeature.setContext({});
}
