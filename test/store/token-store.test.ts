import {
  getToken,
  lastRevocationSeq,
  listTokens,
  revocationsSince,
  revokeToken,
  touchToken,
} from '../../src/library/token-store';
import { issueToken, lookupToken, tokenDigest, tokenStatus } from '../../src/library/tokens';
import type { Db } from '../../src/store/db';
import { sha256 } from '../../src/store/hash';
import { migrate } from '../../src/store/migrations';
import { describeEachStore } from '../support/store-backends';

const DAY = 86_400_000;

describeEachStore('token store', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });

  test('issue: the token carries its public id, only its hash is stored, and the default expiry is 90 days', async () => {
    const now = Date.parse('2026-12-01T10:00:00.000Z');
    const { token, record } = await issueToken(db, { subject: 'rita', role: 'reader', createdBy: 'ana', now });
    expect(token).toMatch(new RegExp(`^rfy_${record.id}_[A-Za-z0-9_-]{32}$`));
    expect(record).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      subject: 'rita',
      role: 'reader',
      createdAt: '2026-12-01T10:00:00.000Z',
      createdBy: 'ana',
      expiresAt: new Date(now + 90 * DAY).toISOString(),
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(await getToken(db, record.id)).toEqual(record);
    const stored = await db.all<Record<string, unknown>>('SELECT * FROM api_tokens WHERE token_id = ?', [record.id]);
    expect(stored[0]!['token_hash']).toBe(tokenDigest(token).toString('hex'));
    expect(JSON.stringify(stored)).not.toContain(token.slice(`rfy_${record.id}_`.length));
  });

  test('"never" is stored as no expiry; a bad expiry or subject is refused before anything is written', async () => {
    const { record } = await issueToken(db, { subject: 'svc', role: 'writer', expires: 'never' });
    expect(record.expiresAt).toBeNull();
    const before = (await listTokens(db)).length;
    await expect(issueToken(db, { subject: 'svc', role: 'writer', expires: '90' })).rejects.toThrow(/not an expiry/);
    await expect(issueToken(db, { subject: 'a\nb', role: 'writer' })).rejects.toThrow(/control characters/);
    expect(await listTokens(db)).toHaveLength(before);
  });

  test('lookup accepts only valid tokens: expired and revoked ones are refused', async () => {
    const live = await issueToken(db, { subject: 'will', role: 'writer' });
    expect(await lookupToken(db, live.token)).toEqual({ subject: 'will', role: 'writer', tokenId: live.record.id });
    expect(await lookupToken(db, `${live.token}x`)).toBeUndefined();
    const old = await issueToken(db, {
      subject: 'old',
      role: 'reader',
      expires: '1h',
      now: Date.now() - 2 * 3_600_000,
    });
    expect(tokenStatus(old.record)).toBe('expired');
    expect(await lookupToken(db, old.token)).toBeUndefined();
    await revokeToken(db, live.record.id, new Date().toISOString());
    expect(await lookupToken(db, live.token)).toBeUndefined();
  });

  test('revocation: once in the feed with the hash instances key by, revoking twice keeps the first time', async () => {
    const { token, record } = await issueToken(db, { subject: 'olga', role: 'owner' });
    const seq = await lastRevocationSeq(db);
    const first = await revokeToken(db, record.id, '2026-12-02T08:00:00.000Z');
    expect(first).toMatchObject({
      alreadyRevoked: false,
      token: { id: record.id, revokedAt: '2026-12-02T08:00:00.000Z' },
    });
    const again = await revokeToken(db, record.id, '2026-12-03T08:00:00.000Z');
    expect(again).toMatchObject({ alreadyRevoked: true, token: { revokedAt: '2026-12-02T08:00:00.000Z' } });
    expect(await revocationsSince(db, seq)).toEqual([
      { seq: seq + 1, tokenId: record.id, tokenHash: tokenDigest(token).toString('hex') },
    ]);
    expect(await lastRevocationSeq(db)).toBe(seq + 1);
    expect(await revokeToken(db, '000000000000', new Date().toISOString())).toBeUndefined();
    expect(tokenStatus((await getToken(db, record.id))!)).toBe('revoked');
  });

  test('concurrent revocations each reach the feed once, in sequence order', async () => {
    const issued = await Promise.all(
      Array.from({ length: 6 }, (_, i) => issueToken(db, { subject: `c${i}`, role: 'reader' })),
    );
    const seq = await lastRevocationSeq(db);
    await Promise.all(issued.map((t) => revokeToken(db, t.record.id, new Date().toISOString())));
    const feed = await revocationsSince(db, seq);
    expect(feed.map((r) => r.tokenId).sort()).toEqual(issued.map((t) => t.record.id).sort());
    expect(feed.map((r) => r.seq)).toEqual(feed.map((_, i) => seq + i + 1));
  });

  test('last use is written only when the stored one is older than the interval', async () => {
    const { record } = await issueToken(db, { subject: 'lu', role: 'reader' });
    await touchToken(db, record.id, '2026-12-05T10:00:00.000Z', '2026-12-05T09:59:00.000Z');
    await touchToken(db, record.id, '2026-12-05T10:00:30.000Z', '2026-12-05T09:59:30.000Z');
    expect((await getToken(db, record.id))!.lastUsedAt).toBe('2026-12-05T10:00:00.000Z');
    await touchToken(db, record.id, '2026-12-05T10:01:05.000Z', '2026-12-05T10:00:05.000Z');
    expect((await getToken(db, record.id))!.lastUsedAt).toBe('2026-12-05T10:01:05.000Z');
  });

  test('the migration gives tokens issued before it a public id and the default 90 days from then', async () => {
    const legacy = await backend.open();
    // Back to the schema before migration 13, with a token issued the old way.
    await legacy.exec('DROP TABLE token_revocations');
    await legacy.exec('DROP INDEX api_tokens_by_id');
    for (const c of ['token_id', 'created_by', 'expires_at', 'revoked_at', 'last_used_at'])
      await legacy.exec(`ALTER TABLE api_tokens DROP COLUMN ${c}`);
    await legacy.run('DELETE FROM schema_migrations WHERE id = 13');
    const token = 'rfy_legacy-token-issued-before-expiry-existed';
    await legacy.run('INSERT INTO api_tokens (token_hash, subject, role, created_at) VALUES (?, ?, ?, ?)', [
      sha256(token),
      'old-app',
      'writer',
      '2026-01-01T00:00:00.000Z',
    ]);
    const before = Date.now();
    await migrate(legacy);
    const [t] = await listTokens(legacy);
    expect(t).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{12}$/), subject: 'old-app', revokedAt: null });
    const days = (Date.parse(t!.expiresAt!) - before) / 86_400_000;
    expect(days).toBeGreaterThan(89.99);
    expect(days).toBeLessThan(90.01);
    expect(await lookupToken(legacy, token)).toEqual({ subject: 'old-app', role: 'writer', tokenId: t!.id });
  });

  test('list shows every token without the token or its hash', async () => {
    const tokens = await listTokens(db);
    expect(tokens.length).toBeGreaterThanOrEqual(5);
    for (const t of tokens)
      expect(Object.keys(t).sort()).toEqual([
        'createdAt',
        'createdBy',
        'expiresAt',
        'id',
        'lastUsedAt',
        'revokedAt',
        'role',
        'subject',
      ]);
  });
});
