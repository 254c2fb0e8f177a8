import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

/** A Temporal client for CLI commands and scripts; close() releases the connection. */
export async function connectClient(config: Config): Promise<{ client: Client; close: () => Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 5000 });
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${config.temporal.address} (${(err as Error).message}); start it with \`refinery dev\` or set TEMPORAL_ADDRESS`,
    );
  }
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    close: () => connection.close(),
  };
}
