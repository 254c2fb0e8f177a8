import { parseArgs } from 'node:util';
import type { Config } from '../../config';
import { recordDrillEvent } from '../../library/drill-store';
import { DrillApiError, DRILL_LABEL, runStagingDrill } from '../../library/staging-drill';
import { openStore } from '../../store/open';
import { CliError, EXIT } from '../exit-codes';
import { cliActor } from '../library-io';

export const drillHelp = `refinery drill <name> [--api URL] [--token T]
  A rollback drill against the staging label, as an application sees it: staging moves to another version
  through the HTTP API (at --api, default REFINERY_API_URL, else REFINERY_PUBLIC_URL), a client resolver
  created against that API follows it, staging is rolled back through the API, and the time until the
  resolver serves the original again is measured and recorded. Production is untouched. The token
  (--token, default REFINERY_API_TOKEN) needs the writer role.`;

export async function drillCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { api: { type: 'string' }, token: { type: 'string' }, as: { type: 'string' } },
  });
  const name = positionals[0];
  if (!name) throw new CliError('usage: refinery drill <name>');
  const token = values.token ?? config.api.token;
  if (!token) throw new CliError('the drill moves staging through the API: pass --token or set REFINERY_API_TOKEN');
  const actor = cliActor(config, values.as);
  const url = values.api ?? config.api.url ?? config.api.publicUrl;
  let drill;
  try {
    drill = await runStagingDrill({ url, token }, name, { reason: 'drill' });
  } catch (err) {
    if (err instanceof DrillApiError)
      throw new CliError(`the drill could not move staging through ${url}: ${err.message}`);
    throw err;
  }
  if (drill.status === 'no-target') throw new CliError(`"${name}" has a single version: a drill needs two`);

  const db = await openStore(config.databaseUrl);
  try {
    await recordDrillEvent(db, `drill-${name}-${Date.now().toString(36)}`, {
      name,
      label: DRILL_LABEL,
      from: drill.away,
      to: drill.original,
      timeToRollbackMs: drill.status === 'passed' ? (drill.timeToRollbackMs ?? null) : null,
      by: actor.subject,
      api: url,
    });
  } finally {
    await db.close();
  }
  if (drill.status === 'failed') throw new CliError(`drill failed: ${drill.detail}`, EXIT.failed);
  console.log(`${name}: drill passed — staging v${drill.away} → v${drill.original}; ${drill.detail}`);
  return EXIT.ok;
}
