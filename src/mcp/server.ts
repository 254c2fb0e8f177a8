import type { Client } from '@temporalio/client';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config';
import type { Db } from '../store/db';
import type { RunBinding } from '../temporal/store-binding';
import { writeRefusal, type McpAccess } from './access';
import { registerLibraryTools } from './library-tools';
import { registerRunTools } from './run-tools';

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

/** The MCP server with every Refinery tool registered; the caller connects it to a transport. */
export function createMcpServer(deps: McpDeps, version: string): McpServer {
  const server = new McpServer(
    { name: 'refinery', version },
    {
      instructions:
        'Refinery: a versioned prompt and skill library with evals and tune runs. Read with search_library, ' +
        'read_version, diff_versions, low_rated_runs, eval_result and tune_status. propose_version, start_eval and ' +
        `decide_tune write: ${deps.access.role ? `this server acts as ${deps.access.subject} (${deps.access.role})` : 'this server is read-only (no token), so they refuse'}.`,
    },
  );
  registerLibraryTools(server, deps);
  registerRunTools(server, deps);
  return server;
}
