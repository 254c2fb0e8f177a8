import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Db } from '../store/db';
import { findTokenByHash, lastRevocationSeq, revocationsSince, touchToken } from '../library/token-store';
import { roleAtLeast, tokenDigest, tokenStatus, type Role, type TokenIdentity } from '../library/tokens';
import { dashboardToken } from '../dashboard/session';
import { authMetrics, AUTH_FAILURE_REASONS, type AuthFailureReason } from '../metrics/metrics-auth';
import type { MetricFamily } from '../metrics/prometheus';
import { BoundedCache } from './bounded-cache';
import { problems } from './http';

export interface AuthOptions {
  /** How often the revocation feed is read (at most 250 ms); a revocation elsewhere takes effect here within this. */
  pollMs?: number;
  /** Upper bound on how long a valid entry is trusted, even with the feed quiet. */
  validTtlMs?: number;
  /** How long a refused token is refused without asking the store again. */
  refusedTtlMs?: number;
  maxValid?: number;
  maxRefused?: number;
  /** Least time between two last-used writes of one token from this instance. */
  touchEveryMs?: number;
}

interface ValidEntry {
  identity: TokenIdentity;
  expiresAt: number | null;
  touchedAt: number;
}

/** Positive entries are trusted only while the feed has been read this recently. */
const FEED_STALE_MS = 1000;

const MESSAGES: Record<AuthFailureReason, string> = {
  missing:
    'send Authorization: Bearer <token> (create one with `refinery tokens create`); in a browser, open /dashboard?token=<token> once',
  unknown: 'the bearer token is not known: check it or create one with `refinery tokens create`',
  expired: 'the bearer token has expired: ask an admin for a new one (`refinery tokens create`)',
  revoked: 'the bearer token was revoked: ask an admin for a new one (`refinery tokens create`)',
};

/**
 * Bearer tokens with roles. REFINERY_API_TOKEN, when set, is a bootstrap admin token; others are issued
 * with `refinery tokens create` and stored hashed.
 *
 * The hot path stays off the database: valid tokens are cached, keyed by their SHA-256 (no token string
 * is kept), and the cache follows the store's revocation feed, as LiveLabels follows label moves, so a
 * revocation through any instance or the CLI takes effect here within pollMs. If the feed cannot be read
 * for a second, cached entries are not trusted and every request asks the store. Expiry is checked on
 * every request against the cached expiry time. Unknown, expired and revoked tokens go into a separate,
 * short-lived cache; both caches are bounded, so presenting made-up tokens cannot grow memory.
 */
export class Authenticator {
  private readonly valid: BoundedCache<ValidEntry>;
  private readonly refused: BoundedCache<Exclude<AuthFailureReason, 'missing'>>;
  private readonly failures = Object.fromEntries(AUTH_FAILURE_REASONS.map((r) => [r, 0])) as Record<
    AuthFailureReason,
    number
  >;
  private readonly bootstrapDigest: Buffer | undefined;
  private readonly pollMs: number;
  private readonly validTtlMs: number;
  private readonly refusedTtlMs: number;
  private readonly touchEveryMs: number;
  private seq = 0;
  /** Bumped whenever the feed brings revocations: a lookup that straddles one does not cache its answer. */
  private generation = 0;
  private lastPollAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    bootstrapToken: string | undefined,
    opts: AuthOptions = {},
  ) {
    this.bootstrapDigest = bootstrapToken ? tokenDigest(bootstrapToken) : undefined;
    // Never slower than a quarter of the staleness bound, or the cache would be bypassed between polls.
    this.pollMs = Math.min(opts.pollMs ?? 250, FEED_STALE_MS / 4);
    this.validTtlMs = opts.validTtlMs ?? 60_000;
    this.refusedTtlMs = opts.refusedTtlMs ?? 1000;
    this.touchEveryMs = opts.touchEveryMs ?? 60_000;
    this.valid = new BoundedCache(opts.maxValid ?? 10_000);
    this.refused = new BoundedCache(opts.maxRefused ?? 1_000);
  }

  async start(): Promise<void> {
    this.seq = await lastRevocationSeq(this.db);
    this.lastPollAt = Date.now();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the revocation feed now (after a revocation through this instance, so it applies at once). */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const startedAt = Date.now();
    try {
      // A full page means more may follow: read on until the feed is drained.
      for (;;) {
        const revoked = await revocationsSince(this.db, this.seq);
        if (revoked.length === 0) break;
        this.generation++;
        for (const r of revoked) {
          this.valid.delete(r.tokenHash);
          this.refused.set(r.tokenHash, 'revoked', Date.now() + this.refusedTtlMs);
        }
        this.seq = revoked[revoked.length - 1]!.seq;
      }
      this.lastPollAt = startedAt;
    } catch {
      // The store is briefly unavailable: lastPollAt ages, and past FEED_STALE_MS the cache is bypassed.
    }
  }

  async identify(req: IncomingMessage): Promise<TokenIdentity> {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    // The dashboard page alone also takes its token from ?token= or its cookie: see src/dashboard/session.ts.
    const token = m?.[1] ?? dashboardToken(req);
    if (!token) return this.refuse('missing');
    const digest = tokenDigest(token);
    // Equal-length digests, compared in constant time: the bootstrap token leaks nothing through timing.
    if (this.bootstrapDigest && timingSafeEqual(digest, this.bootstrapDigest))
      return { subject: 'admin', role: 'admin' };
    // Map lookups by the digest compare digests, not the token: timing can at most reveal a prefix of a
    // SHA-256, which says nothing about any token.
    const key = digest.toString('hex');
    const now = Date.now();
    const refused = this.refused.get(key, now);
    if (refused) return this.refuse(refused);
    const hit = now - this.lastPollAt <= FEED_STALE_MS ? this.valid.get(key, now) : undefined;
    if (hit) {
      if (hit.expiresAt !== null && hit.expiresAt <= now) {
        this.valid.delete(key);
        this.refused.set(key, 'expired', now + this.refusedTtlMs);
        return this.refuse('expired');
      }
      this.touch(hit, now);
      return hit.identity;
    }
    const generation = this.generation;
    const t = await findTokenByHash(this.db, key);
    const status = t ? tokenStatus(t, Date.now()) : 'unknown';
    if (!t || status !== 'active') {
      const reason = status === 'active' ? 'unknown' : status;
      this.refused.set(key, reason, Date.now() + this.refusedTtlMs);
      return this.refuse(reason);
    }
    const entry: ValidEntry = {
      identity: { subject: t.subject, role: t.role, tokenId: t.id },
      expiresAt: t.expiresAt ? Date.parse(t.expiresAt) : null,
      touchedAt: t.lastUsedAt ? Date.parse(t.lastUsedAt) : 0,
    };
    if (generation === this.generation) this.valid.set(key, entry, Date.now() + this.validTtlMs);
    this.touch(entry, Date.now());
    return entry.identity;
  }

  async require(req: IncomingMessage, role: Role): Promise<TokenIdentity> {
    const identity = await this.identify(req);
    if (!roleAtLeast(identity.role, role)) {
      throw problems.forbidden(`this needs the ${role} role; the token's role is ${identity.role}`);
    }
    return identity;
  }

  metrics(): MetricFamily[] {
    return authMetrics({ failures: this.failures, validEntries: this.valid.size, refusedEntries: this.refused.size });
  }

  private refuse(reason: AuthFailureReason): never {
    this.failures[reason]++;
    throw problems.unauthorized(MESSAGES[reason]);
  }

  /** last_used_at is a hint for `tokens list`, not an audit: written at most once per touchEveryMs. */
  private touch(entry: ValidEntry, now: number): void {
    if (now - entry.touchedAt < this.touchEveryMs || !entry.identity.tokenId) return;
    entry.touchedAt = now;
    void touchToken(
      this.db,
      entry.identity.tokenId,
      new Date(now).toISOString(),
      new Date(now - this.touchEveryMs).toISOString(),
    ).catch(() => undefined);
  }
}
