import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db';
import { findTokenByHash } from '../library/token-store';
import { ROLES, roleAtLeast, tokenDigest, tokenStatus, type Role } from '../library/tokens';

/** Who the MCP server acts as: a token's subject and role, or nobody (read-only) when started without one. */
export interface McpAccess {
  subject: string | undefined;
  role: Role | undefined;
}

export const READ_ONLY: McpAccess = { subject: undefined, role: undefined };

/** The role every write tool needs: the same as the API's routes that add versions, move labels and decide tunes. */
export const WRITE_ROLE: Role = 'writer';

/** A token the server cannot act as: unknown, expired or revoked. Starting fails rather than silently reading only. */
export class McpTokenError extends Error {}

/**
 * Checks the token against the token store as the API does (REFINERY_API_TOKEN, when given as `bootstrap`,
 * is the API's bootstrap admin token). No token: read-only.
 */
export async function resolveAccess(db: Db, token: string | undefined, bootstrap?: string): Promise<McpAccess> {
  if (!token) return READ_ONLY;
  const digest = tokenDigest(token);
  if (bootstrap && timingSafeEqual(digest, tokenDigest(bootstrap))) return { subject: 'admin', role: 'admin' };
  const t = await findTokenByHash(db, digest.toString('hex'));
  if (!t)
    throw new McpTokenError(
      'the MCP token is not known in this store: check REFINERY_MCP_TOKEN (or --token) and REFINERY_DATABASE_URL, or create one with `refinery tokens create`',
    );
  const status = tokenStatus(t);
  if (status !== 'active')
    throw new McpTokenError(
      `the MCP token (${t.id}) is ${status}: ask an admin for a new one (\`refinery tokens create\`), or start without a token for read-only tools`,
    );
  return { subject: t.subject, role: t.role };
}

/** Why a write tool refuses to run under this access, or undefined when it may. */
export function writeRefusal(access: McpAccess, tool: string, needed: Role = WRITE_ROLE): string | undefined {
  if (access.role && roleAtLeast(access.role, needed)) return undefined;
  const now = access.role
    ? `this server's token (${access.subject}) has the ${access.role} role`
    : 'this server was started without a token and is read-only';
  return (
    `${tool} needs the ${needed} role (or above); ${now}. Restart \`refinery mcp\` with REFINERY_MCP_TOKEN ` +
    `(or --token) set to a token of role ${ROLES.slice(ROLES.indexOf(needed)).join(', ')} (\`refinery tokens create --subject <name> --role ${needed}\`).`
  );
}
