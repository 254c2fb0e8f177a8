import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/db';
import { findTokenByHash, insertToken, type TokenRecord } from './token-store';
import { ROLES, roleAtLeast, type Role } from './roles';

export { ROLES, roleAtLeast, type Role };

export interface TokenIdentity {
  subject: string;
  role: Role;
  /** The token's public id; absent for the bootstrap admin token, which has no row. */
  tokenId?: string;
}

/** What a token gets when nobody says: long enough to be practical, short enough that a lost one dies. */
export const DEFAULT_EXPIRY = '90d';
const EXPIRY_UNITS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
/** Five years: anything longer should be said as "never", which is visible in `tokens list`. */
const MAX_EXPIRY_MS = 5 * 365 * 86_400_000;
const EXPIRY_HELP = 'write a whole number of hours, days or weeks (12h, 90d, 4w, at most 5 years) or "never"';

/** "90d" → its length in ms, "never" → null; anything else → a problem saying what is accepted. */
export function parseExpiry(text: string): { ms: number | null } | { problem: string } {
  if (text === 'never') return { ms: null };
  const m = /^([1-9][0-9]{0,5})([hdw])$/.exec(text);
  if (!m) return { problem: `"${text}" is not an expiry: ${EXPIRY_HELP}` };
  const ms = Number(m[1]) * EXPIRY_UNITS[m[2]!]!;
  if (ms > MAX_EXPIRY_MS) return { problem: `"${text}" is longer than 5 years: ${EXPIRY_HELP}` };
  return { ms };
}

/** A subject is a name people read in audits: printable, one line, 1–100 characters. */
export function subjectProblem(subject: string): string | undefined {
  if (subject.length < 1 || subject.length > 100) return 'the subject is 1 to 100 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(subject)) return 'the subject has no control characters';
  return undefined;
}

export type TokenStatus = 'active' | 'expired' | 'revoked';

export function tokenStatus(t: Pick<TokenRecord, 'expiresAt' | 'revokedAt'>, now = Date.now()): TokenStatus {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

/** The SHA-256 of a token: what the store and the caches hold instead of the token. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Issues a bearer token `rfy_<id>_<secret>`: the id is public (lists, logs, revocation), the 192-bit
 * secret is not. Only the token's hash is stored, so the store never holds a usable token; the token is
 * returned here once and nowhere else.
 */
export async function issueToken(
  db: Db,
  opts: { subject: string; role: Role; expires?: string; createdBy?: string; now?: number },
): Promise<{ token: string; record: TokenRecord }> {
  const subjectIssue = subjectProblem(opts.subject);
  if (subjectIssue) throw new TypeError(subjectIssue);
  const expiry = parseExpiry(opts.expires ?? DEFAULT_EXPIRY);
  if ('problem' in expiry) throw new TypeError(expiry.problem);
  const now = opts.now ?? Date.now();
  const id = randomBytes(6).toString('hex');
  const token = `rfy_${id}_${randomBytes(24).toString('base64url')}`;
  const record: TokenRecord = {
    id,
    subject: opts.subject,
    role: opts.role,
    createdAt: new Date(now).toISOString(),
    createdBy: opts.createdBy ?? null,
    expiresAt: expiry.ms === null ? null : new Date(now + expiry.ms).toISOString(),
    revokedAt: null,
    lastUsedAt: null,
  };
  await insertToken(db, { ...record, hash: tokenDigest(token).toString('hex') });
  return { token, record };
}

/** Issues a token with the default expiry and returns only the token (tests and scripts). */
export async function createToken(db: Db, subject: string, role: Role, expires?: string): Promise<string> {
  return (await issueToken(db, { subject, role, expires })).token;
}

/** The identity of a token that is valid now; undefined for unknown, expired and revoked tokens. */
export async function lookupToken(db: Db, token: string): Promise<TokenIdentity | undefined> {
  const t = await findTokenByHash(db, tokenDigest(token).toString('hex'));
  return t && tokenStatus(t) === 'active' ? { subject: t.subject, role: t.role, tokenId: t.id } : undefined;
}
