import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db';
import { sha256 } from '../store/hash';

/** API roles, each allowed what the one before it is, and more. */
export const ROLES = ['reader', 'writer', 'owner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export interface TokenIdentity {
  subject: string;
  role: Role;
}

/** Issues a bearer token; only its hash is stored, so the store never holds a usable token. */
export async function createToken(db: Db, subject: string, role: Role): Promise<string> {
  const token = `rfy_${randomBytes(24).toString('base64url')}`;
  await db.run('INSERT INTO api_tokens (token_hash, subject, role, created_at) VALUES (?, ?, ?, ?)', [
    sha256(token),
    subject,
    role,
    new Date().toISOString(),
  ]);
  return token;
}

export async function lookupToken(db: Db, token: string): Promise<TokenIdentity | undefined> {
  const row = await db.get<{ subject: string; role: Role }>(
    'SELECT subject, role FROM api_tokens WHERE token_hash = ?',
    [sha256(token)],
  );
  return row ? { subject: row.subject, role: row.role } : undefined;
}
