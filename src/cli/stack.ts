import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { temporalCliPath } from '../temporal/binaries';
import { AlreadyRunningError, PortInUseError, startDevServer, type DevServer } from '../temporal/dev-server';
import { temporalAnswers } from '../temporal/probe';
import { startWorker, type WorkerHandle } from '../worker';
import { CliError, EXIT } from './exit-codes';

/** What `refinery dev` leaves in REFINERY_HOME while it runs, so a second one can say who owns the server. */
interface DevLock {
  pid: number;
  address: string;
  uiUrl?: string;
  startedAt: string;
}

function lockPath(config: Config): string {
  return path.join(config.home, 'dev.json');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readLiveLock(config: Config): DevLock | undefined {
  try {
    const lock = JSON.parse(fs.readFileSync(lockPath(config), 'utf8')) as DevLock;
    return pidAlive(lock.pid) ? lock : undefined;
  } catch {
    return undefined;
  }
}

export function uiUrlFor(config: Config): string {
  return readLiveLock(config)?.uiUrl ?? `http://${config.dev.host}:${config.dev.uiPort}`;
}

export function workflowUiLink(config: Config, workflowId: string): string {
  return `${uiUrlFor(config)}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export interface Stack {
  /** Set when this process started the server (and must stop it). */
  server?: DevServer;
  /**
   * Set when the server answering was not started from this home (no live `refinery dev` lock here): its
   * history lives in another home's file, or wherever its owner keeps it.
   */
  foreignServer?: string;
  worker: WorkerHandle;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * Brings up the embedded stack: the Temporal dev server with its SQLite file under REFINERY_HOME (or
 * reuses one already answering when reuse is allowed), then a worker in this process.
 */
export async function startStack(config: Config, opts: { reuseServer: boolean }): Promise<Stack> {
  const lock = readLiveLock(config);
  let server: DevServer | undefined;
  let foreignServer: string | undefined;
  if (await temporalAnswers(config.temporal.address, 1000)) {
    if (!lock)
      foreignServer =
        `Reusing the Temporal server already running at ${config.temporal.address}, started from another home ` +
        `or outside refinery (not from ${config.home}): runs started here live in its history, not in this home's file.`;
    if (!opts.reuseServer) {
      const owner = lock ? `\`refinery dev\` (pid ${lock.pid}) already runs it` : 'it was not started by refinery dev';
      throw new CliError(
        `a Temporal server is already running at ${config.temporal.address}: ${owner}. ` +
          `Use it as it is (\`refinery worker\` adds a worker), or stop it first.`,
        EXIT.alreadyRunning,
      );
    }
  } else {
    try {
      server = await startDevServer({
        cliPath: temporalCliPath(config.binaries.temporalCli),
        ip: config.dev.host,
        port: config.dev.port,
        uiPort: config.dev.uiPort,
        dbFile: path.join(config.home, 'temporal.db'),
        logFile: path.join(config.home, 'temporal.log'),
      });
    } catch (err) {
      if (err instanceof PortInUseError) throw new CliError(err.message, EXIT.badInput);
      if (err instanceof AlreadyRunningError) throw new CliError(err.message, EXIT.alreadyRunning);
      throw err;
    }
    const devLock: DevLock = {
      pid: process.pid,
      address: server.address,
      uiUrl: server.uiUrl,
      startedAt: new Date().toISOString(),
    };
    fs.mkdirSync(config.home, { recursive: true });
    fs.writeFileSync(lockPath(config), JSON.stringify(devLock, null, 2));
  }

  let worker: WorkerHandle;
  try {
    // A prebuilt workflow bundle (REFINERY_WORKFLOW_BUNDLE) skips bundling here too, as in src/worker.ts.
    worker = await startWorker(config, { workflowBundlePath: process.env.REFINERY_WORKFLOW_BUNDLE });
  } catch (err) {
    await server?.stop();
    throw err;
  }
  const uiUrl = server?.uiUrl ?? uiUrlFor(config);
  return {
    server,
    foreignServer,
    worker,
    uiUrl,
    async stop() {
      await worker.shutdown();
      if (server) {
        await server.stop();
        fs.rmSync(lockPath(config), { force: true });
      }
    },
  };
}

/** The conventional exit code of a command stopped by signal (128 + its number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? 143 : 130;
}

/**
 * Resolves on the first SIGINT/SIGTERM; a second one exits at once. Call it before starting anything,
 * so a Ctrl-C during start-up is not lost: the command finishes starting, then stops cleanly.
 */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
