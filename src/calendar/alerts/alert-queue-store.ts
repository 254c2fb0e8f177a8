import type { Queryable } from '../../store/db';
import type { QueuedAlert } from './alert-queue';
import type { Severity } from './alert-rules';

/** The reads of the unresolved alert queue the daily review and the weekly trends report on. */

/** The oldest unresolved alerts (up to limit) with the prompt's owner, and how many there are in all. */
export async function unresolvedQueue(db: Queryable, limit: number): Promise<{ queue: QueuedAlert[]; total: number }> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT a.alert_id, a.name, a.version, a.signal, a.severity, a.status, a.opened_at, a.owner, i.owner AS prompt_owner
     FROM alerts a LEFT JOIN library_items i ON i.name = a.name
     WHERE a.status <> 'resolved' ORDER BY a.opened_at, a.alert_id LIMIT ?`,
    [limit],
  );
  return {
    total: await unresolvedCount(db),
    queue: rows.map((r) => ({
      alertId: String(r.alert_id),
      name: String(r.name),
      version: Number(r.version),
      signal: String(r.signal),
      severity: r.severity as Severity,
      status: r.status as QueuedAlert['status'],
      openedAt: String(r.opened_at),
      owner: typeof r.owner === 'string' ? r.owner : null,
      promptOwner: typeof r.prompt_owner === 'string' ? r.prompt_owner : null,
    })),
  };
}

export async function unresolvedCount(db: Queryable): Promise<number> {
  const r = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM alerts WHERE status <> 'resolved'");
  return Number(r?.n ?? 0);
}

/** Alerts a review stamped with its time `at`: opened then, or escalated then. */
export async function alertsStampedAt(db: Queryable, at: string): Promise<{ opened: string[]; escalated: string[] }> {
  const rows = await db.all<{ alert_id: string; opened_at: string; escalated_at: string | null }>(
    'SELECT alert_id, opened_at, escalated_at FROM alerts WHERE opened_at = ? OR escalated_at = ? ORDER BY alert_id',
    [at, at],
  );
  return {
    opened: rows.filter((r) => r.opened_at === at).map((r) => r.alert_id),
    escalated: rows.filter((r) => r.escalated_at === at && r.opened_at !== at).map((r) => r.alert_id),
  };
}

/** Alerts opened and escalated in (since, until]. */
export async function alertActivity(
  db: Queryable,
  since: string,
  until: string,
): Promise<{ opened: number; escalated: number }> {
  const r = await db.get<{ opened: number | null; escalated: number | null }>(
    `SELECT SUM(CASE WHEN opened_at > ? AND opened_at <= ? THEN 1 ELSE 0 END) AS opened,
            SUM(CASE WHEN escalated_at > ? AND escalated_at <= ? THEN 1 ELSE 0 END) AS escalated
     FROM alerts WHERE opened_at <= ?`,
    [since, until, since, until, until],
  );
  return { opened: Number(r?.opened ?? 0), escalated: Number(r?.escalated ?? 0) };
}
