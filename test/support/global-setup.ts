import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { temporalCliPath } from '../../src/temporal/binaries';
import { startDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../../src/temporal/probe';
import { SHARED_ENV_VAR, type SharedTestEnv } from './shared-env';

/** One real Temporal dev server and one workflow bundle for the whole run. */
export default async function globalSetup(): Promise<void> {
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
    bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quietLogger }),
  ]);
  const workflowBundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);
  const shared: SharedTestEnv = { temporalAddress: server.address, workflowBundlePath, tmpDir: dir };
  process.env[SHARED_ENV_VAR] = JSON.stringify(shared);
  (globalThis as { __refineryServer?: typeof server }).__refineryServer = server;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };
