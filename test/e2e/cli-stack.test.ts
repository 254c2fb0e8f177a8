import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { temporalCliPath } from '../../src/temporal/binaries';
import { freePort } from '../../src/temporal/probe';
import { eventually, tempDir } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs the real CLI (src/cli/main.ts through tsx) as a separate process. */
function cli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function workflowList(address: string): string {
  return execFileSync(temporalCliPath(), ['workflow', 'list', '--address', address, '--output', 'json'], {
    encoding: 'utf8',
  });
}

describe('the embedded stack through the CLI', () => {
  test('start runs the example end to end; dev restarts keep the history; a second dev says so', async () => {
    const port = await freePort();
    const env = {
      REFINERY_HOME: tempDir('home'),
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      REFINERY_UI_PORT: String(await freePort()),
    };

    const start = cli(['start', '--exit'], env);
    expect(await start.exited).toBe(0);
    expect(start.output()).toMatch(/Temporal Web UI: http:\/\/127\.0\.0\.1:\d+/);
    expect(start.output()).toContain('Completed: phase=done');
    const workflowId = /Started (self-check-[\w-]+)/.exec(start.output())![1]!;

    const dev = cli(['dev'], env);
    try {
      await eventually(() => dev.output().includes('Press Ctrl-C'), 60_000, 'refinery dev to come up');
      // The server start ran and stopped; this one reopened the same SQLite file.
      expect(workflowList(env.TEMPORAL_ADDRESS)).toContain(workflowId);

      const second = cli(['dev'], env);
      expect(await second.exited).toBe(3);
      expect(second.output()).toContain(`already running at ${env.TEMPORAL_ADDRESS}`);
    } finally {
      dev.child.kill('SIGINT');
    }
    expect(await dev.exited).toBe(0);
    expect(dev.output()).toContain('stopped.');

    const again = cli(['dev'], env);
    try {
      await eventually(() => again.output().includes('Press Ctrl-C'), 60_000, 'refinery dev to come up again');
      expect(workflowList(env.TEMPORAL_ADDRESS)).toContain(workflowId);
    } finally {
      again.child.kill('SIGINT');
    }
    expect(await again.exited).toBe(0);
  });

  test('a port taken by another program is a clear error', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dev = cli(['dev'], { REFINERY_HOME: tempDir('home'), TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
      expect(await dev.exited).toBe(2);
      expect(dev.output()).toContain(`port ${port} on 127.0.0.1 is in use by another program`);
    } finally {
      blocker.close();
    }
  });
});
