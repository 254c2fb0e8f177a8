import fs from 'node:fs';
import path from 'node:path';
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

/** The end of the dev server's log in the home, for a failure message. */
function temporalLogTail(home: string): string {
  const file = path.join(home, 'temporal.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '(no temporal.log)';
}

/**
 * Waits until `refinery dev` says it is up. Reopening the dev server's SQLite file can take long on a loaded machine,
 * so the wait is generous; a dev that exits first, or never comes up, fails at once with what it and the server said.
 */
async function comesUp(dev: ReturnType<typeof cli>, home: string, what: string): Promise<void> {
  const said = () => `${dev.output()}\n--- ${home}/temporal.log, last lines ---\n${temporalLogTail(home)}`;
  try {
    await eventually(
      () => {
        if (dev.output().includes('Press Ctrl-C')) return true;
        if (dev.child.exitCode !== null) throw new Error(`${what}: it exited with ${dev.child.exitCode} first`);
        return false;
      },
      150_000,
      what,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; it said:\n${said()}`);
  }
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
      await comesUp(dev, env.REFINERY_HOME, 'refinery dev to come up');
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
      await comesUp(again, env.REFINERY_HOME, 'refinery dev to come up again');
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
