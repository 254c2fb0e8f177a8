import type { Db, Queryable } from '../store/db';

/** Active rollouts (and A/B tests) per name: what flag evaluation needs to split units between versions. */
export interface RolloutRow {
  rolloutId: string;
  name: string;
  kind: 'rollout' | 'ab';
  controlVersion: number;
  candidateVersion: number;
  percent: number;
  salt: string;
  status: string;
  step: number;
  startedAt: string;
  updatedAt: string;
}

/**
 * Statuses during which units are split between control and candidate. Migration 12's unique index
 * (one splitting row per name) lists the same statuses: change both together.
 */
export const SPLITTING = ['running', 'paused'];

const toRow = (r: Record<string, unknown>): RolloutRow => ({
  rolloutId: String(r.rollout_id),
  name: String(r.name),
  kind: r.kind as RolloutRow['kind'],
  controlVersion: Number(r.control_version),
  candidateVersion: Number(r.candidate_version),
  percent: Number(r.percent),
  salt: String(r.salt),
  status: String(r.status),
  step: Number(r.step),
  startedAt: String(r.started_at),
  updatedAt: String(r.updated_at),
});

export const FLAG_FEED_LABEL = '@rollout';

/**
 * Records a change of split on the label-move feed, so every API instance and client resolver
 * re-evaluates the name's per-unit answers as fast as after a label move.
 */
async function announce(tx: Queryable, name: string, version: number, reason: string): Promise<void> {
  await tx.run(
    'INSERT INTO label_moves (name, label, from_version, to_version, actor, reason, moved_at) VALUES (?, ?, NULL, ?, ?, ?, ?)',
    [name, FLAG_FEED_LABEL, version, 'rollout', reason, new Date().toISOString()],
  );
}

/** Writes a split row; ExperimentRunningError if it would make a second splitting row for the name. */
export async function upsertRollout(db: Db, r: Omit<RolloutRow, 'startedAt' | 'updatedAt'>): Promise<void> {
  try {
    await db.transaction((tx) => writeRollout(tx, r));
  } catch (err) {
    throw await explainConflict(db, r, err);
  }
}

async function writeRollout(tx: Queryable, r: Omit<RolloutRow, 'startedAt' | 'updatedAt'>): Promise<void> {
  const now = new Date().toISOString();
  await tx.run(
    `INSERT INTO rollouts (rollout_id, name, kind, control_version, candidate_version, percent, salt, status, step, started_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (rollout_id) DO UPDATE SET percent = excluded.percent, status = excluded.status, step = excluded.step,
       control_version = excluded.control_version, updated_at = excluded.updated_at`,
    [r.rolloutId, r.name, r.kind, r.controlVersion, r.candidateVersion, r.percent, r.salt, r.status, r.step, now, now],
  );
  await announce(tx, r.name, r.candidateVersion, `${r.rolloutId}: ${r.status} at ${r.percent}%`);
}

/** The rollout currently splitting units for name, if any (the newest one). */
export async function activeRollout(db: Queryable, name: string): Promise<RolloutRow | undefined> {
  const row = await db.get<Record<string, unknown>>(
    `SELECT * FROM rollouts WHERE name = ? AND status IN (${SPLITTING.map(() => '?').join(', ')}) ORDER BY started_at DESC LIMIT 1`,
    [name, ...SPLITTING],
  );
  return row ? toRow(row) : undefined;
}

export async function getRollout(db: Queryable, rolloutId: string): Promise<RolloutRow | undefined> {
  const row = await db.get<Record<string, unknown>>('SELECT * FROM rollouts WHERE rollout_id = ?', [rolloutId]);
  return row ? toRow(row) : undefined;
}

/** The experiment (rollout or A/B test) splitting units of name, other than exceptId; a prompt runs one at a time. */
export async function runningExperiment(
  db: Queryable,
  name: string,
  exceptId?: string,
): Promise<RolloutRow | undefined> {
  const row = await db.get<Record<string, unknown>>(
    `SELECT * FROM rollouts WHERE name = ? AND rollout_id <> ? AND status IN (${SPLITTING.map(() => '?').join(', ')})
     ORDER BY started_at DESC LIMIT 1`,
    [name, exceptId ?? '', ...SPLITTING],
  );
  return row ? toRow(row) : undefined;
}

/** The refusal a second experiment gets: which one runs, and how to end it. */
export function experimentRunningMessage(running: RolloutRow): string {
  const how =
    running.kind === 'ab'
      ? `stop it with \`refinery ab stop ${running.name}\``
      : `abort it with \`refinery rollout abort ${running.name}\``;
  const what = running.kind === 'ab' ? 'A/B test' : 'rollout';
  return `"${running.name}" already has a running ${what} (${running.rolloutId}): one experiment per prompt at a time; ${how}, or wait for it to end`;
}

export class ExperimentRunningError extends Error {
  override readonly name = 'ExperimentRunningError';
  constructor(readonly running: RolloutRow) {
    super(experimentRunningMessage(running));
  }
}

const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
};

/**
 * Writes the split row of a new experiment, refused with ExperimentRunningError while another one
 * splits the same name. Idempotent for its own id (a retried start finds only itself). Two starts
 * racing on PostgreSQL both pass the check at READ COMMITTED; the unique index refuses the second.
 */
export async function startSplit(db: Db, r: Omit<RolloutRow, 'startedAt' | 'updatedAt'>): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      const other = await runningExperiment(tx, r.name, r.rolloutId);
      if (other) throw new ExperimentRunningError(other);
      await writeRollout(tx, r);
    });
  } catch (err) {
    throw await explainConflict(db, r, err);
  }
}

/** A unique-index violation on the splitting rows becomes the refusal naming the running experiment. */
async function explainConflict(db: Db, r: { name: string; rolloutId: string }, err: unknown): Promise<unknown> {
  if (!isUniqueViolation(err)) return err;
  const other = await runningExperiment(db, r.name, r.rolloutId);
  return other ? new ExperimentRunningError(other) : err;
}

/**
 * Records one event of a rollout's evidence trail, idempotent on (rollout, index): true when this call wrote
 * it, false when it was there already (a re-run after a crash).
 */
export async function recordRolloutEvent(
  db: Queryable,
  e: { rolloutId: string; index: number; kind: string; detail: string },
): Promise<boolean> {
  const { changes } = await db.run(
    'INSERT INTO rollout_events (rollout_id, event_index, kind, detail, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    [e.rolloutId, e.index, e.kind, e.detail, new Date().toISOString()],
  );
  return changes === 1;
}
