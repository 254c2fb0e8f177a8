import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Client } from '@temporalio/client';
import { connectClient } from '../../client';
import type { Config } from '../../config';
import { McpTokenError, resolveAccess } from '../../mcp/access';
import { DrainingTransport } from '../../mcp/draining-transport';
import { createMcpServer } from '../../mcp/server';
import { registerSecret } from '../../providers/redact';
import { openStore } from '../../store/open';
import { runBinding, type RunBinding } from '../../temporal/store-binding';
import { CliError, EXIT } from '../exit-codes';

export const mcpHelp = `refinery mcp [--token <token>]
  A Model Context Protocol server over stdio for agents: search the library, read a version and its diff to
  another, read a prompt's low-rated runs and their feedback, propose a version (labelled candidate, never
  production), start an eval and read its result, read a tune's status and send its decision. Read-only
  unless started with a token (REFINERY_MCP_TOKEN or --token) of role writer or above, checked against the
  token store; write tools are listed either way and refuse, naming the role, without one. Works on the store
  and Temporal directly (local mode). Only the protocol goes to stdout; logs go to stderr.`;

/** How long tool calls already received may run on after the client closes stdin (a longer eval_result wait is cut). */
const CLOSE_DRAIN_MS = 15_000;

function serverVersion(): string {
  try {
    const pkg = path.resolve(__dirname, '..', '..', '..', 'package.json');
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Serves MCP on stdin/stdout until the client closes stdin (or a signal ends the process). */
export async function mcpCommand(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { token: { type: 'string' } } });
  if (config.remote)
    throw new CliError(
      'the MCP server works on the store and Temporal directly, as `refinery api` does: unset REFINERY_API_URL (remote mode) and set REFINERY_DATABASE_URL to the store',
    );
  // stdout carries the protocol: anything else printed there would corrupt it, so every log goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const token = values.token ?? process.env.REFINERY_MCP_TOKEN;
  registerSecret(token);

  const db = await openStore(config.databaseUrl);
  let temporal: Promise<{ client: Client; binding: RunBinding; close: () => Promise<void> }> | undefined;
  try {
    let access;
    try {
      access = await resolveAccess(db, token, config.api.token);
    } catch (err) {
      if (err instanceof McpTokenError) throw new CliError(err.message);
      throw err;
    }
    const server = createMcpServer(
      {
        db,
        config,
        access,
        temporal: () => {
          // One connection for the server's life, made when a tool first needs Temporal; a failed attempt is retried.
          temporal ??= (async () => {
            const { client, close } = await connectClient(config);
            return { client, close, binding: await runBinding(config, db) };
          })().catch((err: unknown) => {
            temporal = undefined;
            throw err;
          });
          return temporal;
        },
      },
      serverVersion(),
    );
    const closed = new Promise<void>((resolve) => {
      server.server.onclose = resolve;
      process.stdin.once('end', resolve);
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const transport = new DrainingTransport(new StdioServerTransport());
    await server.connect(transport);
    console.error(
      `refinery mcp: serving on stdio (${access.role ? `as ${access.subject}, role ${access.role}` : 'read-only: no token'})`,
    );
    await closed;
    // stdin closed (or a signal): calls already received still finish and answer on stdout, which stays open.
    const cut = await transport.drain(CLOSE_DRAIN_MS);
    if (cut > 0) console.error(`refinery mcp: closing with ${cut} request(s) unanswered after ${CLOSE_DRAIN_MS} ms`);
    await server.close().catch(() => undefined);
    return EXIT.ok;
  } finally {
    const t = await temporal?.catch(() => undefined);
    await t?.close().catch(() => undefined);
    await db.close();
  }
}
