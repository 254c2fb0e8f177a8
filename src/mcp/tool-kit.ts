import type { Client } from '@temporalio/client';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config';
import type { Db } from '../store/db';
import type { RunBinding } from '../temporal/store-binding';
import { writeRefusal, type McpAccess } from './access';

// Apart from server.ts, which registers the tool modules: they use these without importing it back.

export interface McpDeps {
  db: Db;
  config: Config;
  access: McpAccess;
  /** Temporal, connected on first use: the library tools work with no Temporal server running. */
  temporal(): Promise<{ client: Client; binding: RunBinding }>;
}

/** A tool's answer: the value as indented JSON text, which every MCP client shows and every model reads. */
export function jsonResult(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

/**
 * The subject a write tool acts as; throws (the SDK turns it into an `isError` result) when the server's
 * token lacks the role. Write tools stay listed so an agent sees what exists and learns, from the refusal,
 * which role it would need.
 */
export function writer(deps: McpDeps, tool: string): { subject: string; admin: boolean; ownerRole: boolean } {
  const refusal = writeRefusal(deps.access, tool);
  if (refusal) throw new Error(refusal);
  const role = deps.access.role!;
  return { subject: deps.access.subject!, admin: role === 'admin', ownerRole: role === 'owner' || role === 'admin' };
}
