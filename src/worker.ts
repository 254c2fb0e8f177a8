import { NativeConnection, Worker, Runtime, DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { createActivities } from './activities';
import { inspect } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config';
import { redact, redactUrl } from './providers/redact';
import { openStore } from './store/open';
import type { Db } from './store/db';
import { workerTelemetry } from './worker-metrics';

export interface WorkerHandle {
  worker: Worker;
  db: Db;
  /** Stops polling, waits for running tasks, closes the connection and the store. */
  shutdown(): Promise<void>;
  /** Resolves when the worker has stopped (after shutdown or on a fatal error). */
  done: Promise<void>;
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
  Runtime.install({
    logger: new DefaultLogger(map[level], redactedLogLine),
    shutdownSignals: [],
    telemetryOptions: workerTelemetry(metricsAddress),
  });
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
  options: { workflowBundlePath?: string } = {},
): Promise<WorkerHandle> {
  installRuntime(config.logLevel, config.workerMetricsAddress);
  const db = await openStore(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivities({
        db,
        providers: config,
        publicUrl: config.api.publicUrl,
        webhookUrl: config.webhookUrl,
        home: config.home,
      }),
      ...(options.workflowBundlePath
        ? { workflowBundle: { codePath: options.workflowBundlePath } }
        : { workflowsPath: require.resolve('./workflows') }),
    });
    const done = worker.run().finally(async () => {
      await connection.close();
      await db.close();
    });
    return {
      worker,
      db,
      done,
      async shutdown() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done;
      },
    };
  } catch (err) {
    await connection.close();
    await db.close();
    throw err;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const handle = await startWorker(config, { workflowBundlePath: process.env.REFINERY_WORKFLOW_BUNDLE });
  console.log(
    `refinery worker: polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address} (pid ${process.pid})` +
      `, store ${redactUrl(config.databaseUrl)}` +
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
