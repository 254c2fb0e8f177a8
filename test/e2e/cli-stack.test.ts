import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { temporalCliPath } from '../../src/temporal/binaries';
import { freePort } from '../../src/temporal/probe';
import { cli } from '../support/cli';
import { eventually, tempDir } from '../support/temporal';

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
    expect(start.output()).toContain('threshold-met: best score 90 at iteration 4');
    expect(start.output()).toMatch(/Report: .*docs\/feedbacks\/cycle-\d{4}-\d{2}-\d{2}\/release-notes\.md/);
    // Agent execution, offline: the executor read the reference SKILL.md points to, and not the other one.
    const report = fs.readFileSync(/Report: (\S+release-notes\.md)/.exec(start.output())![1]!, 'utf8');
    expect(report).toContain('## Files the executor read');
    expect(report).toContain('- Iteration 1, release-notes: `references/style.md`');
    expect(report).not.toContain('changelog-format.md');
    const workflowId =
      /Tuning the example skill with offline simulation \(no API keys set\): (tune-release-notes-[0-9a-f]+)/.exec(
        start.output(),
      )![1]!;

    const dev = cli(['dev'], env);
    try {
      // Reopening the dev server's SQLite file can take long on a loaded machine: wait generously.
      await eventually(() => dev.output().includes('Press Ctrl-C'), 150_000, 'refinery dev to come up');
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
      await eventually(() => again.output().includes('Press Ctrl-C'), 150_000, 'refinery dev to come up again');
      expect(workflowList(env.TEMPORAL_ADDRESS)).toContain(workflowId);
    } finally {
      again.child.kill('SIGINT');
    }
    expect(await again.exited).toBe(0);
  }, 480_000);

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
