import { labelHistory, rollbackProduction, type Actor } from '../library/label-store';
import type { Db } from '../store/db';
import { activeRollout, upsertRollout } from './rollout-store';

/**
 * The store side of an emergency rollback, done directly so resolvers see it within a second even if
 * no worker is up: every running split of the name goes to 0 %, and production goes back when a
 * rollout promoted it within the window.
 */
export async function emergencyRollback(
  db: Db,
  p: { name: string; actor: Actor; reason: string; windowMs: number; now?: Date },
): Promise<{ stoppedRollout?: string; productionRestored?: { from: number; to: number } }> {
  const result: { stoppedRollout?: string; productionRestored?: { from: number; to: number } } = {};
  const running = await activeRollout(db, p.name);
  if (running) {
    await upsertRollout(db, { ...running, percent: 0, status: 'rolled-back' });
    result.stoppedRollout = running.rolloutId;
  }
  const now = (p.now ?? new Date()).getTime();
  const last = (await labelHistory(db, p.name, 'production')).at(-1);
  if (
    last &&
    last.reason.startsWith('rollout ') &&
    now - Date.parse(last.movedAt) <= p.windowMs &&
    last.fromVersion !== null
  ) {
    const move = await rollbackProduction(db, {
      name: p.name,
      to: last.fromVersion,
      actor: p.actor,
      reason: `emergency: ${p.reason}`,
    });
    result.productionRestored = { from: move.fromVersion!, to: move.toVersion };
  }
  return result;
}
