import path from 'node:path';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { createToken, type Role } from '../../src/library/tokens';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { tempDir } from '../support/temporal';

export const ADMIN = 'bootstrap-admin-token';

export interface ApiHarness {
  db: Db;
  api: ApiServer;
  tokens: Record<Role | 'otherOwner', string>;
  call(
    method: string,
    urlPath: string,
    token: string | undefined,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** A real API server over a fresh store, tokens for every role, and a prompt "greeting" owned by olga. */
export async function apiHarness(open?: () => Promise<Db>): Promise<ApiHarness> {
  const db = open ? await open() : await openStore(`sqlite:${path.join(tempDir('api'), 'r.db')}`);
  const api = await startApiServer(db, {
    port: 0,
    bootstrapToken: ADMIN,
    pollMs: 50,
    publicUrl: 'https://refinery.example.test',
  });
  const tokens = {
    reader: await createToken(db, 'rita', 'reader'),
    writer: await createToken(db, 'will', 'writer'),
    owner: await createToken(db, 'olga', 'owner'),
    otherOwner: await createToken(db, 'oscar', 'owner'),
    admin: await createToken(db, 'adam', 'admin'),
  };
  await recordVersion(
    db,
    'greeting',
    { type: 'text', text: 'Hello {{name}}', variables: ['name'] },
    {
      rationale: 'first',
      author: 'olga',
      item: { owner: 'olga', tags: ['onboarding'], description: 'Greets a new user' },
    },
  );
  await recordVersion(
    db,
    'greeting',
    { type: 'text', text: 'Hi {{name}}!', variables: ['name'] },
    { rationale: 'shorter', author: 'olga' },
  );
  return {
    db,
    api,
    tokens,
    async call(method, urlPath, token, body, headers = {}) {
      const res = await fetch(`${api.url}${urlPath}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await api.close();
      await db.close();
    },
  };
}
