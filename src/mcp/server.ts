import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpDeps } from './tool-kit';
import { registerLibraryTools } from './library-tools';
import { registerRunTools } from './run-tools';

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
