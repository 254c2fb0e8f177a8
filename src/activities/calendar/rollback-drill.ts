import type { DrillResult } from '../../calendar/golden-audit-types';
import { getLabels, moveLabel, previousProductionVersion, type Actor } from '../../library/label-store';
import { LiveLabels } from '../../library/live-labels';
import { listVersions } from '../../library/versions';
import type { Db } from '../../store/db';

/**
 * The quarterly rollback drill of one production prompt, on the worker. It is `refinery drill` without
 * the network hop: the CLI moves `staging` and watches a client resolver through the API; an unattended
 * drill of every production prompt moves a dedicated `drill` label instead (nobody deploys from it, so
 * no one's staging jumps under them) and watches the store-following label cache the API answers from.
 *
 * Steps: `drill` := the production version; `drill` → the version `refinery rollback` would pick (the
 * previous production version, else the newest other version); time until the cache serves that
 * version, content loaded; `drill` back to production. Production is read before and after and never
 * moved. Recorded as a `drill` event, as the CLI's drill is, once per calendar run and prompt.
 */
export const DRILL_LABEL = 'drill';
const DRILL_ACTOR: Actor = { subject: 'refinery-calendar', admin: false, ownerRole: false };
const SEEN_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function servedWithin(live: LiveLabels, name: string, version: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const served = await live.resolve(name, DRILL_LABEL);
    if (served.version === version) return true;
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
}

export async function rollbackDrill(db: Db, runId: string, name: string): Promise<DrillResult | undefined> {
  const eventId = `drill-${runId}-${name}`;
  const done = await db.get<{ detail: string }>(
    "SELECT detail FROM rollout_events WHERE rollout_id = ? AND event_index = 0 AND kind = 'drill'",
    [eventId],
  );
  if (done) return (JSON.parse(done.detail) as { result: DrillResult }).result;

  const production = (await getLabels(db, name)).production;
  if (production === undefined) return undefined; // no longer in production since the audit listed it
  const target =
    (await previousProductionVersion(db, name)) ??
    (await listVersions(db, name))
      .map((v) => v.version)
      .filter((v) => v !== production)
      .pop();

  let result: DrillResult;
  if (target === undefined) {
    result = {
      name,
      production,
      status: 'no-target',
      detail: 'production is the only version: an emergency rollback would have nowhere to go',
    };
  } else {
    const live = new LiveLabels(db, 20);
    await live.start();
    try {
      const reason = `drill: quarterly run ${runId}`;
      // A no-op move is refused: the label may still hold production from the last drill's restore.
      if ((await getLabels(db, name))[DRILL_LABEL] !== production)
        await moveLabel(db, { name, label: DRILL_LABEL, version: production, actor: DRILL_ACTOR, reason });
      await servedWithin(live, name, production, SEEN_TIMEOUT_MS);
      const t0 = performance.now();
      await moveLabel(db, {
        name,
        label: DRILL_LABEL,
        version: target,
        actor: DRILL_ACTOR,
        reason: `${reason}: rollback`,
      });
      const seen = await servedWithin(live, name, target, SEEN_TIMEOUT_MS);
      const timeToRollbackMs = Math.round(performance.now() - t0);
      await moveLabel(db, {
        name,
        label: DRILL_LABEL,
        version: production,
        actor: DRILL_ACTOR,
        reason: `${reason}: restore`,
      });
      const after = (await getLabels(db, name)).production;
      result =
        after !== production
          ? {
              name,
              production,
              target,
              status: 'failed',
              detail: `production moved from v${production} to v${after ?? '—'} during the drill (not by the drill)`,
            }
          : seen
            ? {
                name,
                production,
                target,
                status: 'passed',
                timeToRollbackMs,
                detail: `v${target} served after the rollback move`,
              }
            : {
                name,
                production,
                target,
                status: 'failed',
                detail: `v${target} was not served ${SEEN_TIMEOUT_MS / 1000} s after the rollback move`,
              };
    } finally {
      live.stop();
    }
  }
  await db.run(
    `INSERT INTO rollout_events (rollout_id, event_index, kind, detail, at) VALUES (?, 0, 'drill', ?, ?)
     ON CONFLICT DO NOTHING`,
    [
      eventId,
      JSON.stringify({
        name,
        label: DRILL_LABEL,
        from: production,
        to: target ?? null,
        timeToRollbackMs: result.timeToRollbackMs ?? null,
        by: DRILL_ACTOR.subject,
        result,
      }),
      new Date().toISOString(),
    ],
  );
  return result;
}
