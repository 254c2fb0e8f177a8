import type { DrillResult } from './quarterly-types';
import { getDrillEvent, recordDrillEvent } from '../../library/drill-store';
import { getLabels } from '../../library/label-store';
import { DRILL_LABEL, DrillApiError, runStagingDrill, type DrillApi } from '../../library/staging-drill';
import type { Db } from '../../store/db';

const DRILL_BY = 'refinery-calendar';

/**
 * The quarterly rollback drill of one production prompt: `refinery drill`'s code path (staging moved through the
 * HTTP API, a client resolver following it, the time until it serves the original again), run by the worker
 * against the API it is configured with (REFINERY_API_URL and REFINERY_API_TOKEN). Without one the drill is
 * skipped and says why: a drill that cannot reach the API an application uses has measured nothing.
 * Recorded as a `drill` event, as the CLI's drill is, once per calendar run and prompt.
 */
export async function rollbackDrill(
  db: Db,
  api: Partial<DrillApi> | undefined,
  runId: string,
  name: string,
): Promise<DrillResult | undefined> {
  const eventId = `drill-${runId}-${name}`;
  const done = await getDrillEvent(db, eventId);
  if (done) return done['result'] as DrillResult;

  const production = (await getLabels(db, name)).production;
  if (production === undefined) return undefined; // no longer in production since the audit listed it
  if (!api?.url || !api.token) {
    const missing = [api?.url ? undefined : 'REFINERY_API_URL', api?.token ? undefined : 'REFINERY_API_TOKEN'];
    return {
      name,
      production,
      status: 'skipped',
      detail: `no API to drill through: set ${missing.filter(Boolean).join(' and ')} on the worker (a writer token)`,
    };
  }

  let result: DrillResult;
  try {
    const drill = await runStagingDrill({ url: api.url, token: api.token }, name, {
      reason: `drill: quarterly run ${runId}`,
    });
    result =
      drill.status === 'no-target'
        ? { name, production, status: 'no-target', detail: drill.detail }
        : {
            name,
            production,
            original: drill.original,
            target: drill.away,
            status: drill.status,
            ...(drill.timeToRollbackMs !== undefined ? { timeToRollbackMs: drill.timeToRollbackMs } : {}),
            detail: drill.detail,
          };
  } catch (err) {
    if (!(err instanceof DrillApiError)) throw err;
    result = { name, production, status: 'failed', detail: `the API at ${api.url} failed the drill: ${err.message}` };
  }
  await recordDrillEvent(db, eventId, {
    name,
    label: DRILL_LABEL,
    from: result.target ?? null,
    to: result.original ?? null,
    timeToRollbackMs: result.timeToRollbackMs ?? null,
    by: DRILL_BY,
    result,
  });
  return result;
}
