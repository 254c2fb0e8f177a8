import type { IncomingMessage } from 'node:http';
import type { Db } from '../store/db';
import { lookupToken, roleAtLeast, type Role, type TokenIdentity } from '../library/tokens';
import { dashboardToken } from '../dashboard/session';
import { problems } from './http';

/**
 * Bearer tokens with roles. REFINERY_API_TOKEN, when set, is a bootstrap admin token; others are issued
 * with `refinery tokens create` and stored hashed. Lookups are cached for a short time so resolve stays
 * off the database on its hot path.
 */
export class Authenticator {
  private readonly cache = new Map<string, { identity: TokenIdentity | undefined; until: number }>();
  constructor(
    private readonly db: Db,
    private readonly bootstrapToken: string | undefined,
    private readonly cacheMs = 5000,
  ) {}

  async identify(req: IncomingMessage): Promise<TokenIdentity> {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    // The dashboard page alone also takes its token from ?token= or its cookie: see src/dashboard/session.ts.
    const token = m?.[1] ?? dashboardToken(req);
    if (!token)
      throw problems.unauthorized(
        'send Authorization: Bearer <token> (create one with `refinery tokens create`); in a browser, open /dashboard?token=<token> once',
      );
    if (this.bootstrapToken && token === this.bootstrapToken) return { subject: 'admin', role: 'admin' };
    const hit = this.cache.get(token);
    const now = Date.now();
    let identity = hit && hit.until > now ? hit.identity : undefined;
    if (!hit || hit.until <= now) {
      identity = await lookupToken(this.db, token);
      this.cache.set(token, { identity, until: now + this.cacheMs });
    }
    if (!identity)
      throw problems.unauthorized(
        'the bearer token is not known: check it or create one with `refinery tokens create`',
      );
    return identity;
  }

  async require(req: IncomingMessage, role: Role): Promise<TokenIdentity> {
    const identity = await this.identify(req);
    if (!roleAtLeast(identity.role, role)) {
      throw problems.forbidden(`this needs the ${role} role; the token's role is ${identity.role}`);
    }
    return identity;
  }
}
