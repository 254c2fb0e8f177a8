import { parseArgs } from 'node:util';
import { apiOptionsFrom, startApiServer } from '../../api/server';
import type { Config } from '../../config';
import { redactUrl } from '../../providers/redact';
import { createToken, ROLES, type Role } from '../../library/tokens';
import { openStore } from '../../store/open';
import { CliError, EXIT } from '../exit-codes';
import { untilInterrupted } from '../stack';

export const apiHelp = `refinery api
  Serves the HTTP API (resolve, runs, feedback, search, labels; /openapi.json) on REFINERY_API_HOST:REFINERY_API_PORT.
refinery tokens create --subject <name> --role reader|writer|owner|admin
  Issues a bearer token (printed once; only its hash is stored).`;

export async function apiCommand(config: Config): Promise<number> {
  const interrupted = untilInterrupted();
  const db = await openStore(config.databaseUrl);
  const api = await startApiServer(db, apiOptionsFrom(config)).catch(async (err: NodeJS.ErrnoException) => {
    await db.close();
    if (err.code === 'EADDRINUSE')
      throw new CliError(`port ${config.api.port} is in use: free it or set REFINERY_API_PORT`);
    throw err;
  });
  console.log(
    `refinery api: listening on ${api.url} (OpenAPI at ${api.url}/openapi.json), store ${redactUrl(config.databaseUrl)}`,
  );
  await interrupted;
  await api.close();
  await db.close();
  return EXIT.ok;
}

export async function tokensCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { subject: { type: 'string' }, role: { type: 'string' } },
  });
  if (positionals[0] !== 'create')
    throw new CliError('usage: refinery tokens create --subject <name> --role reader|writer|owner|admin');
  if (!values.subject) throw new CliError('--subject is required: who the token acts as');
  if (!ROLES.includes(values.role as Role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
  const db = await openStore(config.databaseUrl);
  try {
    console.log(await createToken(db, values.subject, values.role as Role));
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
