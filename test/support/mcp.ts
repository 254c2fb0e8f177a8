import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const ROOT = path.resolve(__dirname, '..', '..');

export interface McpSession {
  client: Client;
  /** Calls a tool; `text` is its first text block, `json` that text parsed when it is JSON. */
  call(name: string, args?: Record<string, unknown>): Promise<{ isError: boolean; text: string; json: any }>;
  /** What the server wrote on stderr. */
  stderr(): string;
  /** Errors the client's transport met, e.g. a stdout line that is not a protocol message. */
  transportErrors: Error[];
  close(): Promise<void>;
}

/** Spawns `refinery mcp` (src/cli/main.ts through tsx) and connects the SDK's own client to it over stdio. */
export async function mcpSession(env: Record<string, string>, args: string[] = []): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'mcp', ...args],
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), CI: 'true', ...env },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const transportErrors: Error[] = [];
  const client = new Client({ name: 'refinery-test', version: '1.0.0' });
  client.onerror = (e) => transportErrors.push(e);
  await client.connect(transport);
  return {
    client,
    async call(name, args = {}) {
      const r = (await client.callTool({ name, arguments: args })) as {
        isError?: boolean;
        content: { type: string; text?: string }[];
      };
      const text = r.content.find((c) => c.type === 'text')?.text ?? '';
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { isError: Boolean(r.isError), text, json };
    },
    stderr: () => err,
    transportErrors,
    close: () => client.close(),
  };
}
