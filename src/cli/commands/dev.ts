import type { Config } from '../../config';
import { webhookOrigin } from '../../providers/redact';
import { EXIT } from '../exit-codes';
import { startStack, untilInterrupted } from '../stack';

export const devHelp = `refinery dev
  Starts the embedded stack: the Temporal dev server (SQLite file under REFINERY_HOME, Web UI built in)
  and a worker. Runs until Ctrl-C, which stops both cleanly; workflow histories survive restarts.`;

/** `refinery dev`: the embedded server and a worker, until interrupted. */
export async function devCommand(config: Config): Promise<number> {
  const interrupted = untilInterrupted();
  const stack = await startStack(config, { reuseServer: false });
  console.log(`Temporal server: ${stack.server?.address ?? config.temporal.address}`);
  console.log(`Temporal Web UI: ${stack.uiUrl}`);
  if (config.webhook)
    console.log(`Webhook: ${webhookOrigin(config.webhook.url)}${config.webhook.secret ? ' (signed)' : ''}`);
  console.log(
    `Worker polling task queue "${stack.worker.taskQueue}" (store ${stack.worker.store.label}). Press Ctrl-C to stop.`,
  );
  const signal = await interrupted;
  console.log(`\n${signal}: stopping the worker and the Temporal server...`);
  await stack.stop();
  console.log('stopped.');
  return EXIT.ok;
}
