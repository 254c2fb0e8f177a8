import type { Db, Queryable } from '../store/db';
import type { Role } from './roles';

/** A token as the store knows it: never the token, never its hash. */
export interface TokenRecord {
  /** Short public id, the part of the token between `rfy_` and the secret; safe to print and log. */
  id: string;
  subject: string;
  role: Role;
  createdAt: string;
  createdBy: string | null;
  /** null: never expires (only when asked for explicitly). */
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface TokenRow {
  token_id: string;
  subject: string;
  role: Role;
  created_at: string;
  created_by: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

const COLUMNS = 'token_id, subject, role, created_at, created_by, expires_at, revoked_at, last_used_at';

const toRecord = (r: TokenRow): TokenRecord => ({
  id: r.token_id,
  subject: r.subject,
  role: r.role,
  createdAt: r.created_at,
  createdBy: r.created_by,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export async function insertToken(
  db: Queryable,
  t: {
    id: string;
    hash: string;
    subject: string;
    role: Role;
    createdAt: string;
    createdBy: string | null;
    expiresAt: string | null;
  },
): Promise<void> {
  await db.run(
    'INSERT INTO api_tokens (token_hash, token_id, subject, role, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [t.hash, t.id, t.subject, t.role, t.createdAt, t.createdBy, t.expiresAt],
  );
}

/** The token whose SHA-256 is hash, revoked and expired ones included (the caller says why it refuses). */
export async function findTokenByHash(db: Queryable, hash: string): Promise<TokenRecord | undefined> {
  const row = await db.get<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ?`, [hash]);
  return row ? toRecord(row) : undefined;
}

export async function getToken(db: Queryable, id: string): Promise<TokenRecord | undefined> {
  const row = await db.get<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_id = ?`, [id]);
  return row ? toRecord(row) : undefined;
}

export async function listTokens(db: Queryable): Promise<TokenRecord[]> {
  const rows = await db.all<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at, token_id`);
  return rows.map(toRecord);
}

/**
 * Marks the token revoked and appends it to the revocation feed that every API instance follows.
 * Revoking twice keeps the first time and adds nothing to the feed. On PostgreSQL the feed's table is
 * locked for the insert: identity values are handed out before commit, so two concurrent revocations
 * could otherwise become visible out of sequence order, and a follower past the later one would never
 * see the earlier. Revocations are rare; serialising them costs nothing.
 */
export async function revokeToken(
  db: Db,
  id: string,
  at: string,
): Promise<{ token: TokenRecord; alreadyRevoked: boolean } | undefined> {
  return db.transaction(async (tx) => {
    if (db.dialect === 'postgres') await tx.run('LOCK TABLE token_revocations IN SHARE ROW EXCLUSIVE MODE');
    const row = await tx.get<TokenRow & { token_hash: string }>(
      `SELECT token_hash, ${COLUMNS} FROM api_tokens WHERE token_id = ?`,
      [id],
    );
    if (!row) return undefined;
    if (row.revoked_at) return { token: toRecord(row), alreadyRevoked: true };
    await tx.run('UPDATE api_tokens SET revoked_at = ? WHERE token_id = ?', [at, id]);
    await tx.run('INSERT INTO token_revocations (token_id, token_hash, revoked_at) VALUES (?, ?, ?)', [
      id,
      row.token_hash,
      at,
    ]);
    return { token: toRecord({ ...row, revoked_at: at }), alreadyRevoked: false };
  });
}

export interface Revocation {
  seq: number;
  tokenId: string;
  /** The SHA-256 of the token, which is what API instances key their caches by. */
  tokenHash: string;
}

export async function revocationsSince(db: Queryable, seq: number, limit = 500): Promise<Revocation[]> {
  const rows = await db.all<{ seq: number; token_id: string; token_hash: string }>(
    'SELECT seq, token_id, token_hash FROM token_revocations WHERE seq > ? ORDER BY seq LIMIT ?',
    [seq, limit],
  );
  return rows.map((r) => ({ seq: Number(r.seq), tokenId: r.token_id, tokenHash: r.token_hash }));
}

export async function lastRevocationSeq(db: Queryable): Promise<number> {
  const row = await db.get<{ s: number | null }>('SELECT MAX(seq) AS s FROM token_revocations');
  return Number(row?.s ?? 0);
}

/**
 * Records a use. The condition skips the write when another instance recorded one since `staleBefore`,
 * so however many instances serve a token, its row is written about once per interval.
 */
export async function touchToken(db: Queryable, id: string, at: string, staleBefore: string): Promise<void> {
  await db.run(
    'UPDATE api_tokens SET last_used_at = ? WHERE token_id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
    [at, id, staleBefore],
  );
}
