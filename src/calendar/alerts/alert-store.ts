import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../../store/db';
import {
  DEFAULT_ALERT_POLICY,
  type AlertAction,
  type AlertPolicy,
  type Finding,
  type OpenAlert,
  type Severity,
} from './alert-rules';

/**
 * Alerts as stored: one open alert per dedupe key (a partial unique index holds that even under
 * concurrent reviews), Critical ones copied to the incident log, and every alert closed either as an
 * action item with an owner or as a documented false positive.
 */
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';
export type Resolution = 'action' | 'false-positive';

export interface AlertRow {
  alertId: string;
  dedupeKey: string;
  name: string;
  version: number;
  signal: string;
  severity: Severity;
  status: AlertStatus;
  detail: string;
  baseline: number | null;
  current: number | null;
  z: number | null;
  samples: number | null;
  openedAt: string;
  escalatedAt: string | null;
  escalationReason: string | null;
  updatedAt: string;
  owner: string | null;
  resolution: Resolution | null;
  note: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

export class AlertError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
    this.name = 'AlertError';
  }
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v));

function toRow(r: Record<string, unknown>): AlertRow {
  return {
    alertId: String(r.alert_id),
    dedupeKey: String(r.dedupe_key),
    name: String(r.name),
    version: Number(r.version),
    signal: String(r.signal),
    severity: r.severity as Severity,
    status: r.status as AlertStatus,
    detail: String(r.detail),
    baseline: num(r.baseline),
    current: num(r.current_value),
    z: num(r.z),
    samples: num(r.samples),
    openedAt: String(r.opened_at),
    escalatedAt: str(r.escalated_at),
    escalationReason: str(r.escalation_reason),
    updatedAt: String(r.updated_at),
    owner: str(r.owner),
    resolution: r.resolution === null || r.resolution === undefined ? null : (r.resolution as Resolution),
    note: str(r.note),
    resolvedBy: str(r.resolved_by),
    resolvedAt: str(r.resolved_at),
  };
}

export async function getAlert(db: Queryable, alertId: string): Promise<AlertRow | undefined> {
  const r = await db.get('SELECT * FROM alerts WHERE alert_id = ?', [alertId]);
  return r ? toRow(r) : undefined;
}

async function requireAlert(db: Queryable, alertId: string): Promise<AlertRow> {
  const a = await getAlert(db, alertId);
  if (!a) throw new AlertError(`no alert "${alertId}"; \`refinery alerts list --all\` shows the ids`, 404);
  return a;
}

async function openByKey(db: Queryable, dedupeKey: string): Promise<AlertRow | undefined> {
  const r = await db.get("SELECT * FROM alerts WHERE dedupe_key = ? AND status <> 'resolved'", [dedupeKey]);
  return r ? toRow(r) : undefined;
}

async function logIncident(db: Queryable, a: AlertRow, at: string): Promise<void> {
  await db.run(
    `INSERT INTO incidents (alert_id, name, version, signal, detail, opened_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
    [a.alertId, a.name, a.version, a.signal, a.detail, at],
  );
}

/** The newest alert opened under dedupeKey, resolved or not (a retried opener finds the one it opened). */
export async function alertIdByKey(db: Queryable, dedupeKey: string): Promise<string | undefined> {
  const r = await db.get<{ alert_id: string }>(
    'SELECT alert_id FROM alerts WHERE dedupe_key = ? ORDER BY opened_at DESC LIMIT 1',
    [dedupeKey],
  );
  return r?.alert_id;
}

/** Alerts not yet resolved, in the shape `planAlerts` takes. */
export async function unresolvedForPlanning(db: Queryable): Promise<OpenAlert[]> {
  const rows = await db.all("SELECT * FROM alerts WHERE status <> 'resolved'");
  return rows.map(toRow).map((a) => ({
    dedupeKey: a.dedupeKey,
    severity: a.severity,
    openedAt: a.openedAt,
    status: a.status,
  }));
}

export interface AppliedActions {
  opened: AlertRow[];
  escalated: AlertRow[];
  kept: number;
}

/**
 * Applies a review's plan in one transaction. Safe to repeat (an activity retry): an alert already open
 * for the key is kept, and an escalation of an alert already Critical changes nothing.
 */
export async function applyAlertActions(db: Db, actions: AlertAction[], now: Date): Promise<AppliedActions> {
  const at = now.toISOString();
  return db.transaction(async (tx) => {
    const out: AppliedActions = { opened: [], escalated: [], kept: 0 };
    for (const action of actions) {
      if (action.kind === 'keep') {
        out.kept++;
        continue;
      }
      if (action.kind === 'open') {
        const f: Finding = action.finding;
        if (await openByKey(tx, f.dedupeKey)) {
          out.kept++;
          continue;
        }
        const alertId = `al-${randomBytes(4).toString('hex')}`;
        await tx.run(
          `INSERT INTO alerts (alert_id, dedupe_key, name, version, signal, severity, status, detail, baseline,
             current_value, z, samples, opened_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)`,
          [
            alertId,
            f.dedupeKey,
            f.name,
            f.version,
            f.signal,
            f.severity,
            f.detail,
            f.baseline,
            f.current,
            f.z,
            f.samples,
            at,
            at,
          ],
        );
        const row = (await getAlert(tx, alertId))!;
        if (row.severity === 'critical') await logIncident(tx, row, at);
        out.opened.push(row);
        continue;
      }
      const existing = await openByKey(tx, action.dedupeKey);
      if (!existing || existing.severity === 'critical') continue;
      await tx.run(
        `UPDATE alerts SET severity = 'critical', escalated_at = ?, escalation_reason = ?, updated_at = ? WHERE alert_id = ?`,
        [at, action.reason, at, existing.alertId],
      );
      const row = (await getAlert(tx, existing.alertId))!;
      await logIncident(tx, row, at);
      out.escalated.push(row);
    }
    return out;
  });
}

export interface AlertFilter {
  /** unresolved (default): open and acknowledged; or one status; or all. */
  status?: AlertStatus | 'unresolved' | 'all';
  name?: string;
  limit?: number;
}

export async function listAlerts(db: Queryable, filter: AlertFilter = {}): Promise<AlertRow[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const status = filter.status ?? 'unresolved';
  if (status === 'unresolved') where.push("status <> 'resolved'");
  else if (status !== 'all') {
    where.push('status = ?');
    params.push(status);
  }
  if (filter.name) {
    where.push('name = ?');
    params.push(filter.name);
  }
  params.push(filter.limit ?? 500);
  const rows = await db.all(
    `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC, alert_id LIMIT ?`,
    params,
  );
  return rows.map(toRow);
}

/** Acknowledging takes ownership: the alert stays unresolved (and stops escalating) until resolved. */
export async function ackAlert(db: Db, alertId: string, actor: string, now = new Date()): Promise<AlertRow> {
  return db.transaction(async (tx) => {
    const a = await requireAlert(tx, alertId);
    if (a.status === 'resolved')
      throw new AlertError(`alert ${alertId} is already resolved (${a.resolution}); nothing to acknowledge`, 409);
    await tx.run("UPDATE alerts SET status = 'acknowledged', owner = ?, updated_at = ? WHERE alert_id = ?", [
      actor,
      now.toISOString(),
      alertId,
    ]);
    return (await getAlert(tx, alertId))!;
  });
}

export interface ResolveInput {
  as: Resolution;
  note: string;
  actor: string;
  /** Owner of the action item; defaults to whoever acknowledged the alert, else the actor. */
  owner?: string;
}

/** Closes the loop: an action item with an owner, or a false positive with the reason written down. */
export async function resolveAlert(db: Db, alertId: string, input: ResolveInput, now = new Date()): Promise<AlertRow> {
  if (input.as !== 'action' && input.as !== 'false-positive')
    throw new AlertError(`--as must be "action" or "false-positive", not "${String(input.as)}"`);
  if (!input.note.trim())
    throw new AlertError(
      input.as === 'action'
        ? 'give --note with the action item (what will be done), e.g. --note "tighten the JSON schema in v8"'
        : 'give --note saying why this was a false positive, e.g. --note "traffic shift from a marketing campaign"',
    );
  return db.transaction(async (tx) => {
    const a = await requireAlert(tx, alertId);
    if (a.status === 'resolved')
      throw new AlertError(`alert ${alertId} was already resolved by ${a.resolvedBy} as ${a.resolution}`, 409);
    const owner = input.owner ?? a.owner ?? input.actor;
    const at = now.toISOString();
    await tx.run(
      `UPDATE alerts SET status = 'resolved', resolution = ?, note = ?, owner = ?, resolved_by = ?, resolved_at = ?, updated_at = ?
       WHERE alert_id = ?`,
      [input.as, input.note.trim(), owner, input.actor, at, at, alertId],
    );
    return (await getAlert(tx, alertId))!;
  });
}

export interface IncidentRow {
  seq: number;
  alertId: string;
  name: string;
  version: number;
  signal: string;
  detail: string;
  openedAt: string;
}

export async function listIncidents(db: Queryable, limit = 200): Promise<IncidentRow[]> {
  const rows = await db.all('SELECT * FROM incidents ORDER BY seq DESC LIMIT ?', [limit]);
  return rows.map((r) => ({
    seq: Number(r.seq),
    alertId: String(r.alert_id),
    name: String(r.name),
    version: Number(r.version),
    signal: String(r.signal),
    detail: String(r.detail),
    openedAt: String(r.opened_at),
  }));
}

/** A prompt's alert policy: the default, with its stored overrides and recalibrated thresholds. */
export async function getAlertPolicy(db: Queryable, name: string): Promise<AlertPolicy> {
  const r = await db.get<{ policy: string }>('SELECT policy FROM alert_policies WHERE name = ?', [name]);
  return r ? { ...DEFAULT_ALERT_POLICY, ...(JSON.parse(r.policy) as Partial<AlertPolicy>) } : DEFAULT_ALERT_POLICY;
}

export async function setAlertPolicy(
  db: Queryable,
  name: string,
  policy: Partial<AlertPolicy>,
  reason: string,
  actor: string,
  now = new Date(),
): Promise<void> {
  await db.run(
    `INSERT INTO alert_policies (name, policy, reason, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET policy = excluded.policy, reason = excluded.reason,
       updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [name, JSON.stringify(policy), reason, actor, now.toISOString()],
  );
}

/** Per prompt: alerts resolved in the window, and how many of them were false positives. */
export async function resolutionCounts(
  db: Queryable,
  sinceIso: string,
  untilIso: string,
): Promise<{ name: string; resolved: number; falsePositives: number }[]> {
  const rows = await db.all<{ name: string; resolved: number; fp: number }>(
    `SELECT name, COUNT(*) AS resolved, SUM(CASE WHEN resolution = 'false-positive' THEN 1 ELSE 0 END) AS fp
     FROM alerts WHERE status = 'resolved' AND resolved_at > ? AND resolved_at <= ? GROUP BY name ORDER BY name`,
    [sinceIso, untilIso],
  );
  return rows.map((r) => ({ name: r.name, resolved: Number(r.resolved), falsePositives: Number(r.fp ?? 0) }));
}
