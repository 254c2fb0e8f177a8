import type { IncomingMessage } from 'node:http';
import { Authenticator } from '../../src/api/auth';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { getToken, revokeToken } from '../../src/library/token-store';
import { issueToken } from '../../src/library/tokens';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { describeEachStore } from '../support/store-backends';

const ADMIN = 'bootstrap-admin-token-for-lifecycle';

async function call(api: ApiServer, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

/** Asks until the answer is 401 or the deadline passes; returns the last answer and when it came. */
async function until401(api: ApiServer, token: string, deadline: number) {
  for (;;) {
    const res = await call(api, 'GET', '/v1/library', token);
    if (res.status === 401 || Date.now() > deadline) return { ...res, at: Date.now() };
  }
}

function failures(metrics: string, reason: string): number {
  const m = new RegExp(`^refinery_api_auth_failures_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : NaN;
}

describeEachStore('token lifecycle across two API instances on one store', (backend) => {
  describe('two instances', () => {
    let dbA: Db;
    let dbB: Db;
    let a: ApiServer;
    let b: ApiServer;
    let url: string;
    beforeAll(async () => {
      url = await backend.freshUrl();
      dbA = await openStore(url);
      dbB = await openStore(url);
      // Default poll intervals: what is measured is what production runs.
      a = await startApiServer(dbA, { port: 0, bootstrapToken: ADMIN });
      b = await startApiServer(dbB, { port: 0, bootstrapToken: ADMIN });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await dbA?.close();
      await dbB?.close();
    });

    test('an admin issues a token over the API: shown once, listed without it, usable on the other instance', async () => {
      const created = await call(a, 'POST', '/v1/tokens', ADMIN, { subject: 'app-1', role: 'writer' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ subject: 'app-1', role: 'writer', status: 'active', createdBy: 'admin' });
      const { id, token, expiresAt } = created.body as { id: string; token: string; expiresAt: string };
      expect(token).toMatch(new RegExp(`^rfy_${id}_`));
      expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);
      expect((await call(b, 'GET', '/v1/library', token)).status).toBe(200);

      const list = await call(b, 'GET', '/v1/tokens', ADMIN);
      expect(list.status).toBe(200);
      expect(list.body.tokens).toEqual([expect.objectContaining({ id, subject: 'app-1', status: 'active' })]);
      const secret = token.slice(`rfy_${id}_`.length);
      expect(JSON.stringify(list.body)).not.toContain(secret);
      expect(Object.keys(list.body.tokens[0]).sort()).toEqual([
        'createdAt',
        'createdBy',
        'expiresAt',
        'id',
        'lastUsedAt',
        'revokedAt',
        'role',
        'status',
        'subject',
      ]);

      // The first use records last-used (in the background): poll the store for it.
      const deadline = Date.now() + 5000;
      let lastUsed: string | null = null;
      while (!lastUsed && Date.now() < deadline) lastUsed = (await getToken(dbA, id))!.lastUsedAt;
      expect(lastUsed).not.toBeNull();
      // A second use within the minute writes nothing.
      expect((await call(b, 'GET', '/v1/library', token)).status).toBe(200);
      expect((await getToken(dbA, id))!.lastUsedAt).toBe(lastUsed);
    });

    test('"never" must be said; a bad expiry or subject is a 400 naming the field', async () => {
      const never = await call(a, 'POST', '/v1/tokens', ADMIN, { subject: 'svc', role: 'reader', expires: 'never' });
      expect(never.status).toBe(201);
      expect(never.body.expiresAt).toBeNull();
      const bad = await call(a, 'POST', '/v1/tokens', ADMIN, { subject: 'svc', role: 'reader', expires: '90' });
      expect(bad).toMatchObject({
        status: 400,
        body: { field: 'expires', detail: expect.stringContaining('"never"') },
      });
      const role = await call(a, 'POST', '/v1/tokens', ADMIN, { subject: 'svc', role: 'root' });
      expect(role).toMatchObject({ status: 400, body: { field: 'role' } });
      const subject = await call(a, 'POST', '/v1/tokens', ADMIN, { subject: 'a\u0000b', role: 'reader' });
      expect(subject).toMatchObject({ status: 400, body: { field: 'subject' } });
    });

    test('a revocation through one instance is refused by the other within 1 s', async () => {
      const { token, record } = await issueToken(dbA, { subject: 'app-2', role: 'reader' });
      expect((await call(b, 'GET', '/v1/library', token)).status).toBe(200); // now in B's cache
      const before = failures((await call(b, 'GET', '/metrics', ADMIN)).body as string, 'revoked');

      const revoked = await call(a, 'POST', `/v1/tokens/${record.id}/revoke`, ADMIN);
      const revokedAt = Date.now();
      expect(revoked).toMatchObject({ status: 200, body: { id: record.id, status: 'revoked', alreadyRevoked: false } });
      // The instance that revoked refuses at once.
      expect((await call(a, 'GET', '/v1/library', token)).status).toBe(401);

      const seen = await until401(b, token, revokedAt + 1000);
      expect(seen.status).toBe(401);
      expect(seen.body.detail).toMatch(/revoked/);
      expect(seen.at - revokedAt).toBeLessThanOrEqual(1000);
      const metrics = (await call(b, 'GET', '/metrics', ADMIN)).body as string;
      expect(failures(metrics, 'revoked')).toBeGreaterThan(before);
      expect(metrics).not.toContain(token);

      const again = await call(b, 'POST', `/v1/tokens/${record.id}/revoke`, ADMIN);
      expect(again.body).toMatchObject({ alreadyRevoked: true, revokedAt: revoked.body.revokedAt });
      expect((await call(b, 'POST', '/v1/tokens/0123456789ab/revoke', ADMIN)).status).toBe(404);
      expect((await call(b, 'POST', '/v1/tokens/..%2Fx/revoke', ADMIN)).status).toBe(404);
    });

    test('a revocation written to the store by the CLI reaches both instances within 1 s', async () => {
      const { token, record } = await issueToken(dbA, { subject: 'app-3', role: 'writer' });
      expect((await call(a, 'GET', '/v1/library', token)).status).toBe(200);
      expect((await call(b, 'GET', '/v1/library', token)).status).toBe(200);
      // What `refinery tokens revoke` does: straight on the store, no API instance involved.
      const cli = await openStore(url);
      try {
        await revokeToken(cli, record.id, new Date().toISOString());
      } finally {
        await cli.close();
      }
      const revokedAt = Date.now();
      for (const api of [a, b]) {
        const seen = await until401(api, token, revokedAt + 1000);
        expect(seen.status).toBe(401);
        expect(seen.at - revokedAt).toBeLessThanOrEqual(1000);
      }
    });

    test('an expired token is refused by the instance that cached it within 1 s of its expiry', async () => {
      // Issued "an hour minus three seconds ago" with a one-hour expiry: it expires three seconds from now.
      const { token, record } = await issueToken(dbA, {
        subject: 'app-4',
        role: 'reader',
        expires: '1h',
        now: Date.now() - 3_600_000 + 3000,
      });
      const expiresAt = Date.parse(record.expiresAt!);
      expect((await call(b, 'GET', '/v1/library', token)).status).toBe(200); // cached on B
      const before = failures((await call(b, 'GET', '/metrics', ADMIN)).body as string, 'expired');
      const seen = await until401(b, token, expiresAt + 1000);
      expect(seen.status).toBe(401);
      expect(seen.body.detail).toMatch(/expired/);
      expect(seen.at).toBeGreaterThanOrEqual(expiresAt);
      expect(seen.at - expiresAt).toBeLessThanOrEqual(1000);
      expect(failures((await call(b, 'GET', '/metrics', ADMIN)).body as string, 'expired')).toBe(before + 1);
      expect((await call(a, 'GET', '/v1/library', token)).status).toBe(401);
    });

    test('no token, an unknown one, and near-misses of the bootstrap token are counted by reason', async () => {
      const metrics = () => call(a, 'GET', '/metrics', ADMIN).then((r) => r.body as string);
      const before = await metrics();
      expect((await call(a, 'GET', '/v1/library')).status).toBe(401);
      for (const guess of [`${ADMIN}x`, ADMIN.slice(0, -1), ADMIN.toUpperCase(), 'rfy_000000000000_nope'])
        expect((await call(a, 'GET', '/v1/library', guess)).status).toBe(401);
      const after = await metrics();
      expect(failures(after, 'missing')).toBe(failures(before, 'missing') + 1);
      expect(failures(after, 'unknown')).toBe(failures(before, 'unknown') + 4);
      expect(after).not.toContain(ADMIN);
    });
  });

  describe('the caches are bounded', () => {
    test('hundreds of made-up tokens leave at most the refused cap in memory; valid tokens stay cached', async () => {
      const db = await backend.open();
      const auth = new Authenticator(db, ADMIN, { maxValid: 5, maxRefused: 20 });
      await auth.start();
      try {
        const req = (token: string) =>
          ({ method: 'GET', url: '/v1/library', headers: { authorization: `Bearer ${token}` } }) as IncomingMessage;
        for (let i = 0; i < 500; i++) await expect(auth.identify(req(`rfy_fake_${i}`))).rejects.toThrow(/not known/);
        const valid = await Promise.all(
          Array.from({ length: 8 }, (_, i) => issueToken(db, { subject: `s${i}`, role: 'reader' })),
        );
        for (const t of valid) expect(await auth.identify(req(t.token))).toMatchObject({ tokenId: t.record.id });
        const gauge = (cache: string) =>
          Number(
            auth
              .metrics()
              .find((f) => f.name === 'refinery_api_auth_cache_entries')!
              .samples.find((s) => s.labels!['cache'] === cache)!.value,
          );
        expect(gauge('refused')).toBe(20);
        expect(gauge('valid')).toBe(5);
        const counted = auth.metrics().find((f) => f.name === 'refinery_api_auth_failures_total')!;
        expect(counted.samples.find((s) => s.labels!['reason'] === 'unknown')!.value).toBe(500);
      } finally {
        auth.stop();
      }
    });
  });
});
