import { parseArgs } from 'node:util';
import type { Config } from '../../config';
import { getLabels, moveLabel } from '../../library/label-store';
import { LibraryError } from '../../library/errors';
import { listVersions, requireItem } from '../../library/versions';
import { createResolver } from '../../resolver';
import { openStore } from '../../store/open';
import { CliError, EXIT } from '../exit-codes';
import { cliActor } from '../library-io';

export const drillHelp = `refinery drill <name> [--api URL] [--token T]
  A rollback drill against the staging label: staging moves to another version, a client resolver
  (through the API at --api, default REFINERY_PUBLIC_URL) sees it, staging is rolled back, and the
  time until the resolver serves the original again is measured and recorded. Production is untouched.`;

const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
};

export async function drillCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { api: { type: 'string' }, token: { type: 'string' }, as: { type: 'string' } },
  });
  const name = positionals[0];
  if (!name) throw new CliError('usage: refinery drill <name>');
  const token = values.token ?? config.api.token;
  if (!token) throw new CliError('the drill reads through the API: pass --token or set REFINERY_API_TOKEN');
  const actor = cliActor(config, values.as);
  const db = await openStore(config.databaseUrl);
  const resolver = createResolver({ baseUrl: values.api ?? config.api.publicUrl, token, onError: () => undefined });
  try {
    await requireItem(db, name);
    const versions = (await listVersions(db, name)).map((v) => v.version);
    const labels = await getLabels(db, name);
    const original = labels.staging ?? labels.production ?? versions[versions.length - 1]!;
    const other = [...versions].reverse().find((v) => v !== original);
    if (other === undefined) throw new CliError(`"${name}" has a single version: a drill needs two`);
    if (labels.staging === undefined)
      await moveLabel(db, { name, label: 'staging', version: original, actor, reason: 'drill: baseline' });
    await resolver.get(name, { label: 'staging' });
    await moveLabel(db, { name, label: 'staging', version: other, actor, reason: 'drill: move away' });
    if (!(await until(async () => (await resolver.get(name, { label: 'staging' })).version === other, 10_000))) {
      throw new CliError(
        'the resolver did not see the drill move within 10 s: is the API at --api running and following the store?',
        EXIT.failed,
      );
    }
    const t0 = performance.now();
    await moveLabel(db, { name, label: 'staging', version: original, actor, reason: 'drill: rollback' });
    const seen = await until(async () => (await resolver.get(name, { label: 'staging' })).version === original, 10_000);
    const ms = Math.round(performance.now() - t0);
    await db.run('INSERT INTO rollout_events (rollout_id, event_index, kind, detail, at) VALUES (?, 0, ?, ?, ?)', [
      `drill-${name}-${Date.now().toString(36)}`,
      'drill',
      JSON.stringify({
        name,
        label: 'staging',
        from: other,
        to: original,
        timeToRollbackMs: seen ? ms : null,
        by: actor.subject,
      }),
      new Date().toISOString(),
    ]);
    if (!seen)
      throw new CliError(`drill failed: the resolver still served v${other} 10 s after the rollback`, EXIT.failed);
    console.log(
      `${name}: drill passed — staging v${other} → v${original}; the resolver served v${original} ${ms} ms after the rollback`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof LibraryError) throw new CliError(err.message);
    throw err;
  } finally {
    await resolver.close();
    await db.close();
  }
}
