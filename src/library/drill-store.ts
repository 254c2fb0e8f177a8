import type { Db } from '../store/db';

/**
 * Rollback drills in the rollout evidence trail: one `drill` row per drill in `rollout_events`, keyed by an id the
 * caller makes unique (the quarterly run's id and the prompt, or the CLI's name and time).
 */
export interface DrillEvent {
  name: string;
  label: string;
  /** The version the label was moved away to (the rollback's start). */
  from: number | null;
  /** The version it was rolled back to. */
  to: number | null;
  timeToRollbackMs: number | null;
  by: string;
  /** Whatever else the caller keeps with it (the quarterly run keeps its whole result). */
  [more: string]: unknown;
}

/** The drill recorded under eventId, if any: a retried quarterly activity does not drill a prompt twice. */
export async function getDrillEvent(db: Db, eventId: string): Promise<DrillEvent | undefined> {
  const row = await db.get<{ detail: string }>(
    "SELECT detail FROM rollout_events WHERE rollout_id = ? AND event_index = 0 AND kind = 'drill'",
    [eventId],
  );
  return row ? (JSON.parse(row.detail) as DrillEvent) : undefined;
}

/** Records a drill once (a second record under the same id is ignored). */
export async function recordDrillEvent(db: Db, eventId: string, event: DrillEvent): Promise<void> {
  await db.run(
    `INSERT INTO rollout_events (rollout_id, event_index, kind, detail, at) VALUES (?, 0, 'drill', ?, ?)
     ON CONFLICT DO NOTHING`,
    [eventId, JSON.stringify(event), new Date().toISOString()],
  );
}
