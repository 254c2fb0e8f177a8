import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../src/activities';
import { sharedTestEnv } from './shared-env';

const ROOT = path.resolve(__dirname, '..', '..');

/** A workflow id / task queue nobody else in the run uses. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export async function testClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: sharedTestEnv().temporalAddress });
  return { client: new Client({ connection }), close: () => connection.close() };
}

/** Runs fn while an in-process worker (the shared bundle, the given activities) polls taskQueue. */
export async function withWorker<T>(
  taskQueue: string,
  deps: ActivityDeps,
  fn: () => Promise<T>,
  extra: Partial<WorkerOptions> = {},
): Promise<T> {
  const env = sharedTestEnv();
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  try {
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: { codePath: env.workflowBundlePath },
      activities: createActivities(deps),
      ...extra,
    });
    return await worker.runUntil(fn);
  } finally {
    await connection.close();
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Waits for the process to exit (after a kill or a clean stop). */
  exited: Promise<number | null>;
}

/**
 * Starts the real worker entry point (src/worker.ts) in its own process, so a test can SIGKILL it; `cwd` runs
 * it from another working directory (a worker on another machine sees none of the client's relative paths).
 */
export function spawnWorkerProcess(env: Record<string, string>, opts: { cwd?: string } = {}): WorkerProcess {
  const shared = sharedTestEnv();
  // tsx by file URL: a bare `--import tsx` resolves from the working directory, which may hold no node_modules.
  const tsx = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href;
  const child = spawn(process.execPath, ['--import', tsx, path.join(ROOT, 'src', 'worker.ts')], {
    cwd: opts.cwd ?? ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: shared.temporalAddress,
      REFINERY_WORKFLOW_BUNDLE: shared.workflowBundlePath,
      REFINERY_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Polls check until it returns a truthy value or the deadline passes (no fixed sleeps in tests). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh directory under the run's temp folder. */
export function tempDir(name: string): string {
  const dir = path.join(sharedTestEnv().tmpDir, uniqueId(name));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
