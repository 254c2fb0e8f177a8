import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_TYPES } from '../shared';
import { portInUse, temporalAnswers } from './probe';

export interface DevServerOptions {
  cliPath: string;
  ip?: string;
  port: number;
  /** Web UI port; `headless` turns the UI off instead. */
  uiPort?: number;
  headless?: boolean;
  /** SQLite file for persistence across restarts; in-memory when omitted. */
  dbFile?: string;
  /** Server output goes here (appended); discarded when omitted. */
  logFile?: string;
  readyTimeoutMs?: number;
  /** Extra dynamic config, KEY -> JSON value (tests lower history limits with it). */
  dynamicConfig?: Record<string, string | number | boolean>;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  pid: number;
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/** Server settings Refinery wants everywhere: eager dispatch saves a round trip per model call. */
export const EMBEDDED_DYNAMIC_CONFIG = { 'system.enableActivityEagerExecution': true };

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}
export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/**
 * Starts `temporal server start-dev` with Refinery's search attributes registered, and resolves once
 * the frontend answers. Refuses clearly when the ports are taken.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const address = `${ip}:${opts.port}`;
  if (await temporalAnswers(address, 1000)) {
    throw new AlreadyRunningError(`a Temporal server is already running at ${address}`);
  }
  if (await portInUse(ip, opts.port)) {
    throw new PortInUseError(
      `port ${opts.port} on ${ip} is in use by another program (not a Temporal server); free it or point TEMPORAL_ADDRESS at another port`,
    );
  }
  if (!opts.headless && opts.uiPort !== undefined && (await portInUse(ip, opts.uiPort))) {
    throw new PortInUseError(`Web UI port ${opts.uiPort} on ${ip} is in use; free it or set REFINERY_UI_PORT`);
  }

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(opts.port), '--log-level', 'warn'];
  if (opts.headless) args.push('--headless');
  else if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) args.push('--search-attribute', `${name}=${type}`);
  const dynamicConfig = { ...EMBEDDED_DYNAMIC_CONFIG, ...opts.dynamicConfig };
  for (const [key, value] of Object.entries(dynamicConfig)) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }

  let out: number | 'ignore' = 'ignore';
  if (opts.logFile) {
    fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
    out = fs.openSync(opts.logFile, 'a');
  }
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', out, out] });
  if (typeof out === 'number') fs.closeSync(out);
  const exited = waitForExit(child);

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  let early: number | null | undefined;
  void exited.then((code) => (early = code));
  while (!(await temporalAnswers(address, 1000))) {
    if (early !== undefined) {
      throw new Error(
        `the Temporal dev server exited with code ${early} before it was ready${opts.logFile ? `; see ${opts.logFile}` : ''}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the Temporal dev server did not answer at ${address} within ${opts.readyTimeoutMs ?? 60_000} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    address,
    uiUrl: opts.headless
      ? undefined
      : `http://${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${opts.uiPort ?? opts.port + 1000}`,
    pid: child.pid!,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
