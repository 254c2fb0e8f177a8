import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { evaluateCandidateActivity } from '../../../src/activities/optimize/evaluate';
import { ModelCalls } from '../../../src/activities/tune/model-calls';
import type { Db } from '../../../src/store/db';
import { openStore } from '../../../src/store/open';
import { sharedTestEnv } from '../shared-env';
import { tempDir, type WorkerProcess } from '../temporal';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface ProviderEnv {
  anthropic: { apiKey: string; baseUrl: string };
  gemini: { apiKey: string; baseUrl: string };
}

/** The test-only workflows bundled once per test file, with the interceptors every bundle carries. */
let bundled: Promise<string> | undefined;
export function evaluateBundle(): Promise<string> {
  bundled ??= (async () => {
    const noop = () => undefined;
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./evaluate-workflows'),
      workflowInterceptorModules: [require.resolve('../../../src/workflows/store-interceptors')],
      logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error },
    });
    const file = path.join(tempDir('evaluate-bundle'), 'bundle.js');
    fs.writeFileSync(file, bundle.code);
    return file;
  })();
  return bundled;
}

/** A worker polling taskQueue with the evaluate activity over db and the fakes; stop() waits for it to end. */
export async function startEvaluateWorker(
  taskQueue: string,
  db: Db,
  providers: ProviderEnv,
): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: sharedTestEnv().temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { codePath: await evaluateBundle() },
    activities: evaluateCandidateActivity(db, new ModelCalls({ provider: 'auto', ...providers }, db)),
  });
  const running = worker.run().finally(() => connection.close());
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/** The same worker in its own process (this file as its entry point), so a test can SIGKILL it. */
export async function spawnEvaluateWorker(
  taskQueue: string,
  databaseUrl: string,
  providers: ProviderEnv,
): Promise<WorkerProcess> {
  const tsx = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href;
  const child = spawn(process.execPath, ['--import', tsx, __filename], {
    cwd: ROOT,
    env: {
      ...process.env,
      EVALUATE_WORKER: JSON.stringify({
        taskQueue,
        databaseUrl,
        providers,
        bundle: await evaluateBundle(),
        temporalAddress: sharedTestEnv().temporalAddress,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function main(): Promise<void> {
  const p = JSON.parse(process.env.EVALUATE_WORKER!) as {
    taskQueue: string;
    databaseUrl: string;
    providers: ProviderEnv;
    bundle: string;
    temporalAddress: string;
  };
  const db = await openStore(p.databaseUrl);
  const connection = await NativeConnection.connect({ address: p.temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue: p.taskQueue,
    workflowBundle: { codePath: p.bundle },
    activities: evaluateCandidateActivity(db, new ModelCalls({ provider: 'auto', ...p.providers }, db)),
  });
  console.log(`evaluate worker polling ${p.taskQueue} (pid ${process.pid})`);
  await worker.run();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
