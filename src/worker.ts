import { Client } from '@temporalio/client';
import { IllegalStateError } from '@temporalio/common';
import { NativeConnection, Worker, Runtime, DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { createActivities } from './activities';
import { inspect } from 'node:util';
import v8 from 'node:v8';
import { ConfigError, loadConfig, type Config } from './config';
import { redact } from './providers/redact';
import { openStore } from './store/open';
import type { Db } from './store/db';
import { storeIdentity, type StoreIdentity } from './store/store-identity';
import { reconcileEvery } from './temporal/reconcile-runs';
import { storeCheckInterceptor, storeTaskQueue } from './temporal/store-binding';
import { startTracing, TRACING_WORKFLOW_INTERCEPTORS } from './temporal/tracing';
import { workerTelemetry } from './worker-metrics';

export interface WorkerHandle {
  worker: Worker;
  db: Db;
  /** The store this worker holds, and the task queue it polls (derived from the store unless configured). */
  store: StoreIdentity;
  taskQueue: string;
  /** Stops polling, waits for running tasks, closes the connection and the store. */
  shutdown(): Promise<void>;
  /** Resolves when the worker has stopped (after shutdown or on a fatal error). */
  done: Promise<void>;
}

/** The workflow interceptor module every workflow bundle must include (workflowInterceptorModules). */
export const WORKFLOW_INTERCEPTORS = require.resolve('./workflows/store-interceptors');

/** How often a worker closes store rows of runs that ended as workflows (see reconcile-runs.ts). */
const RECONCILE_INTERVAL_MS = 60_000;

/**
 * How far V8 lets the heap grow past what survived the last full collection: twice. By default it grows up to four
 * times when allocation is fast, and an eval run at 128 calls in flight allocates fast but keeps little: the worker
 * then held 460-520 MiB at 20,000 cases, most of it garbage waiting for a collection; at twice, about 330 MiB. 1.5
 * times held 300 MiB but cost a tenth more CPU per case in collections (bench/results/eval-engine.json). A node flag
 * of the operator's (--heap-growing-percent in the arguments or NODE_OPTIONS) wins.
 */
const HEAP_GROWING_PERCENT = 100;

function boundHeapGrowth(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('heap-growing-percent'));
  if (!given) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

let runtimeInstalled = false;
function installRuntime(level: Config['logLevel'], metricsAddress: string | undefined): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const map: Record<Config['logLevel'], LogLevel> = {
    trace: 'TRACE',
    debug: 'DEBUG',
    info: 'INFO',
    warn: 'WARN',
    error: 'ERROR',
  };
  // The CLI owns SIGINT/SIGTERM (it stops the worker, then the dev server, in that order).
  try {
    Runtime.install({
      logger: new DefaultLogger(map[level], redactedLogLine),
      shutdownSignals: [],
      telemetryOptions: workerTelemetry(metricsAddress),
    });
  } catch (err) {
    // A process that installed its own runtime first (a test, an embedding program) keeps it.
    if (!(err instanceof IllegalStateError)) throw err;
  }
}

/** The default log line, scrubbed of every registered secret (workflow and activity logs pass through here). */
function redactedLogLine({ level, timestampNanos, message, meta }: LogEntry): void {
  const at = new Date(Number(timestampNanos / 1_000_000n)).toISOString();
  const rest = meta === undefined ? '' : ` ${inspect(meta, { depth: 5, breakLength: Infinity })}`;
  process.stderr.write(`${redact(`${at} [${level}] ${message}${rest}`)}
`);
}

/**
 * Builds the worker: one connection, one store, every workflow and activity on the task queue.
 * A prebuilt workflow bundle (REFINERY_WORKFLOW_BUNDLE) skips bundling at start-up.
 */
export async function startWorker(
  config: Config,
  options: { workflowBundlePath?: string; reconcileIntervalMs?: number } = {},
): Promise<WorkerHandle> {
  installRuntime(config.logLevel, config.workerMetricsAddress);
  boundHeapGrowth();
  const db = await openStore(config.databaseUrl);
  const store = await storeIdentity(db);
  const taskQueue = storeTaskQueue(config, store);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // OTLP tracing of workflows and activities, only when an endpoint is configured.
  const tracing = startTracing(config.tracesEndpoint, 'refinery-worker');
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue,
      // Runs of another store that reach this queue fail at once instead of writing to the wrong database;
      // the workflow interceptors carry each run's store onto its activities (also in prebuilt bundles).
      interceptors: {
        activity: [storeCheckInterceptor(store, taskQueue), ...(tracing?.activityInterceptors ?? [])],
        // A prebuilt bundle has them built in (bundleWorkflowCode's workflowInterceptorModules).
        ...(options.workflowBundlePath
          ? {}
          : { workflowModules: [WORKFLOW_INTERCEPTORS, ...(tracing ? [TRACING_WORKFLOW_INTERCEPTORS] : [])] }),
      },
      ...(tracing ? { sinks: tracing.sinks } : {}),
      activities: createActivities({
        db,
        providers: config,
        publicUrl: config.api.publicUrl,
        webhook: config.webhook,
        drillApi: { url: config.api.url, token: config.api.token },
        admins: config.identity.admins,
      }),
      ...(options.workflowBundlePath
        ? { workflowBundle: { codePath: options.workflowBundlePath } }
        : { workflowsPath: require.resolve('./workflows') }),
    });
    // Runs that ended as workflows (failed, terminated) are closed in the store, so /metrics counts them.
    const reconciler = reconcileEvery(
      new Client({ connection, namespace: config.temporal.namespace }),
      db,
      options.reconcileIntervalMs ?? RECONCILE_INTERVAL_MS,
      (err) => {
        Runtime.instance().logger.warn('reconciling runs with Temporal failed', { error: String(err) });
      },
    );
    const done = worker.run().finally(async () => {
      await reconciler.stop();
      await tracing?.shutdown().catch(() => undefined);
      await connection.close();
      await db.close();
    });
    return {
      worker,
      db,
      store,
      taskQueue,
      done,
      async shutdown() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done;
      },
    };
  } catch (err) {
    await tracing?.shutdown().catch(() => undefined);
    await connection.close();
    await db.close();
    throw err;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const handle = await startWorker(config, { workflowBundlePath: process.env.REFINERY_WORKFLOW_BUNDLE });
  console.log(
    `refinery worker: polling task queue "${handle.taskQueue}" (store ${handle.store.label}) on ${config.temporal.address} (pid ${process.pid})` +
      (config.workerMetricsAddress ? `; Temporal metrics at http://${config.workerMetricsAddress}/metrics` : ''),
  );
  await handle.done;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(redact(err instanceof ConfigError ? `refinery worker: ${err.message}` : inspect(err)));
    process.exit(1);
  });
}
