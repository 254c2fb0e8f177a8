import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client } from 'pg';
import { temporalCliPath } from '../../src/temporal/binaries';
import { startDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../../src/temporal/probe';
import { SHARED_ENV_VAR, type SharedTestEnv } from './shared-env';

/** One real Temporal dev server and one workflow bundle for the whole run. */
export default async function globalSetup(): Promise<void> {
  // Before Temporal starts: when PostgreSQL is missing the run fails without leaving a dev server behind.
  const postgresUrl = await postgresServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refinery-jest-'));
  const [server, bundle] = await Promise.all([
    (async () =>
      startDevServer({
        cliPath: temporalCliPath(),
        port: await freePort(),
        headless: true,
        logFile: path.join(dir, 'temporal.log'),
        // Suggest continue-as-new after a few hundred events, so long tune runs exercise it in tests.
        dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 400 },
      }))(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      // The same interceptors as the worker's own bundle: runs carry their store onto their activities.
      workflowInterceptorModules: [require.resolve('../../src/workflows/store-interceptors')],
      logger: quietLogger,
    }),
  ]);
  const workflowBundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);
  const shared: SharedTestEnv = { temporalAddress: server.address, workflowBundlePath, tmpDir: dir, postgresUrl };
  process.env[SHARED_ENV_VAR] = JSON.stringify(shared);
  (globalThis as { __refineryServer?: typeof server }).__refineryServer = server;
}

/**
 * The PostgreSQL server the store tests create their databases on: REFINERY_TEST_POSTGRES_URL, else the
 * local one scripts/postgres.sh provides (installing it on first use). Never skipped: without it the run fails.
 */
async function postgresServer(): Promise<string> {
  let url = process.env.REFINERY_TEST_POSTGRES_URL;
  if (!url) {
    const script = path.resolve(__dirname, '..', '..', 'scripts', 'postgres.sh');
    // stderr passes through: a first run installs PostgreSQL, which takes a while and should be visible.
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) =>
      child.once('error', reject).once('close', resolve),
    );
    url = out.trim().split('\n').pop();
    if (code !== 0 || !url) {
      throw new Error(
        `PostgreSQL is required for the store tests, and scripts/postgres.sh failed (exit ${code}; its output is above). ` +
          'Fix that, or set REFINERY_TEST_POSTGRES_URL to a server whose role may create databases.',
      );
    }
  }
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await probe.connect();
    await probe.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL for the store tests is not reachable at ${url.replace(/:[^:@/]*@/, ':***@')}: ${(err as Error).message}`,
    );
  } finally {
    await probe.end().catch(() => undefined);
  }
  return url;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };
