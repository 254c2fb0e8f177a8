import { spawn } from 'node:child_process';
import path from 'node:path';
import { issueToken } from '../../src/library/tokens';
import { evalHarness } from '../support/eval-harness';
import { sharedTestEnv } from '../support/shared-env';
import { uniqueId } from '../support/temporal';

// The client closes stdin while a tool call is still running: the call finishes and its answer is written on stdout
// before the server closes the store and exits. Spoken raw (newline-delimited JSON-RPC) so the test controls exactly
// when stdin ends; the SDK's client would close both directions at once.

const ROOT = path.resolve(__dirname, '..', '..');

test('a tool call running when stdin closes still answers, then the server exits 0', async () => {
  const h = await evalHarness({ answer: () => ({ text: 'ANSWER' }) });
  try {
    await h.prompt('qa', 'Question: {{q}}', true);
    const ds = await h.dataset('qa-set', [
      { id: 'a', vars: { q: 'a' }, assertions: [{ type: 'contains', value: 'A' }] },
    ]);
    const token = (await issueToken(h.db, { subject: 'wes', role: 'writer' })).token;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'mcp'], {
      cwd: ROOT,
      env: {
        ...process.env,
        CI: 'true',
        TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
        // No worker polls this queue: the eval stays running, so eval_result waits its full waitSeconds.
        REFINERY_TASK_QUEUE: uniqueId('tq-none'),
        REFINERY_DATABASE_URL: h.dbUrl,
        REFINERY_MCP_TOKEN: token,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const answers = new Map<number, { result?: { content: { text: string }[]; isError?: boolean } }>();
    const waiters = new Map<number, () => void>();
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const message = JSON.parse(buffered.slice(0, nl)) as { id?: number; result?: { content: { text: string }[] } };
        buffered = buffered.slice(nl + 1);
        if (typeof message.id === 'number') {
          answers.set(message.id, message);
          waiters.get(message.id)?.();
        }
      }
    });
    const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    const answer = (id: number) =>
      new Promise<void>((resolve) => (answers.has(id) ? resolve() : waiters.set(id, resolve))).then(() =>
        answers.get(id)!,
      );
    const toolText = async (id: number) =>
      JSON.parse((await answer(id)).result!.content[0]!.text) as Record<string, unknown>;

    send({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'close-test', version: '1' } },
    });
    await answer(1);
    send({ method: 'notifications/initialized' });
    send({
      id: 2,
      method: 'tools/call',
      params: { name: 'start_eval', arguments: { name: 'qa', dataset: `qa-set@${ds}` } },
    });
    const { runId } = await toolText(2);
    expect(runId).toEqual(expect.any(String));

    // The wait is in progress when stdin ends.
    send({ id: 3, method: 'tools/call', params: { name: 'eval_result', arguments: { runId, waitSeconds: 2 } } });
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(answers.has(3)).toBe(true);
    expect(await toolText(3)).toMatchObject({ runId, status: 'running' });
    expect(stderr).not.toContain('unanswered');
  } finally {
    await h.close();
  }
});
