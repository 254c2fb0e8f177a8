import { Client, Connection } from '@temporalio/client';
import { apiOptionsFrom, startApiServer } from '../../api/server';
import type { Config } from '../../config';
import { redactUrl } from '../../providers/redact';
import { openStore } from '../../store/open';
import { runBinding } from '../../temporal/store-binding';
import { startTracing } from '../../temporal/tracing';
import { CliError, EXIT } from '../exit-codes';
import { untilInterrupted } from '../stack';
import { tokensHelp } from './tokens';

export { tokensCommand } from './tokens';

export const apiHelp = `refinery api
  Serves the HTTP API (resolve, runs, feedback, search, labels; /openapi.json) on REFINERY_API_HOST:REFINERY_API_PORT.
${tokensHelp}`;

export async function apiCommand(config: Config): Promise<number> {
  const interrupted = untilInterrupted();
  const db = await openStore(config.databaseUrl);
  // Lazy: the API serves the library with Temporal down; only rollout and tune routes need it (503 meanwhile).
  const connection = Connection.lazy({ address: config.temporal.address });
  // Workflows the API starts (rollouts) carry the start's span to the worker's workflow span when tracing is on.
  const tracing = startTracing(config.tracesEndpoint, 'refinery-api');
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: { workflow: tracing?.clientInterceptors ?? [] },
  });
  const api = await startApiServer(db, apiOptionsFrom(config, { client, binding: await runBinding(config, db) })).catch(
    async (err: NodeJS.ErrnoException) => {
      await tracing?.shutdown().catch(() => undefined);
      await connection.close();
      await db.close();
      if (err.code === 'EADDRINUSE')
        throw new CliError(`port ${config.api.port} is in use: free it or set REFINERY_API_PORT`);
      throw err;
    },
  );
  console.log(
    `refinery api: listening on ${api.url} (OpenAPI at ${api.url}/openapi.json), store ${redactUrl(config.databaseUrl)}`,
  );
  const signal = await interrupted;
  console.log(`refinery api: ${signal}: finishing the requests being handled (a second ${signal} stops at once)`);
  // The store closes only once close() resolves: requests being handled have answered and written by then.
  const { cutOff } = await api.close();
  if (cutOff > 0) console.error(`refinery api: ${cutOff} request(s) still running at the drain deadline were cut off`);
  await tracing?.shutdown().catch(() => undefined);
  await connection.close();
  await db.close();
  return EXIT.ok;
}
