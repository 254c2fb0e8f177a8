import type { Db, Queryable } from '../store/db';
import { LibraryError } from './errors';
import { LATEST, labelProblem, PROTECTED_LABEL } from './labels';
import { latestVersion, requireItem, requireVersion } from './versions';

export interface LabelMove {
  seq: number;
  name: string;
  label: string;
  fromVersion: number | null;
  toVersion: number;
  actor: string;
  reason: string;
  movedAt: string;
}

interface MoveRow {
  seq: number;
  name: string;
  label: string;
  from_version: number | null;
  to_version: number;
  actor: string;
  reason: string;
  moved_at: string;
}
const toMove = (r: MoveRow): LabelMove => ({
  seq: Number(r.seq),
  name: r.name,
  label: r.label,
  fromVersion: r.from_version === null ? null : Number(r.from_version),
  toVersion: Number(r.to_version),
  actor: r.actor,
  reason: r.reason,
  movedAt: r.moved_at,
});

/**
 * Who moves a label: anyone allowed to write, but `production` only an admin, or the item's owner
 * acting with owner rights (an API token of role owner, or the local CLI user).
 */
export interface Actor {
  subject: string;
  admin: boolean;
  ownerRole: boolean;
}

/** Labels of name, with `latest` computed from the newest version. */
export async function getLabels(db: Queryable, name: string): Promise<Record<string, number>> {
  const rows = await db.all<{ label: string; version: number }>(
    'SELECT label, version FROM labels WHERE name = ? ORDER BY label',
    [name],
  );
  const labels: Record<string, number> = Object.fromEntries(rows.map((r) => [r.label, Number(r.version)]));
  const latest = await latestVersion(db, name);
  if (latest !== undefined) labels[LATEST] = latest;
  return labels;
}

export async function resolveLabel(db: Queryable, name: string, label: string): Promise<number> {
  await requireItem(db, name);
  if (label === LATEST) {
    const latest = await latestVersion(db, name);
    if (latest === undefined) throw new LibraryError(`"${name}" has no versions yet`, 404, 'label');
    return latest;
  }
  const row = await db.get<{ version: number }>('SELECT version FROM labels WHERE name = ? AND label = ?', [
    name,
    label,
  ]);
  if (!row) throw new LibraryError(`"${name}" has no label "${label}"`, 404, 'label');
  return Number(row.version);
}

/**
 * A compare-and-set move found the label elsewhere than expected: someone moved it meanwhile.
 * `lastMove` is the audit row of that move (who, when, why), when there is one.
 */
export class LabelMovedError extends LibraryError {
  constructor(
    message: string,
    readonly current: number | null,
    readonly lastMove: LabelMove | undefined,
  ) {
    super(message, 409, 'label');
  }
}

/**
 * Moves a label in one transaction with the label row locked, and audits the move. Two writers moving
 * the same label at once are serialised: each move's `from` is the previous move's `to`, none is lost.
 * A move to the version the label already holds is refused (409) and writes nothing: an N → N audit
 * row would make "the version before this one" ambiguous for rollback. With `expected` the move is a
 * compare-and-set: it happens only if the label still holds that version (null: has no version).
 */
export async function moveLabel(
  db: Db,
  m: { name: string; label: string; version: number; actor: Actor; reason: string; expected?: number | null },
): Promise<LabelMove> {
  const problem = labelProblem(m.label);
  if (problem) throw new LibraryError(problem, 400, 'label');
  if (!m.reason.trim()) throw new LibraryError('say why the label moves (--why)', 400, 'reason');
  const item = await requireItem(db, m.name);
  if (m.label === PROTECTED_LABEL && !m.actor.admin && !(m.actor.ownerRole && m.actor.subject === item.owner)) {
    throw new LibraryError(
      `only the owner of "${m.name}" (${item.owner}) or an admin may move production`,
      403,
      'label',
    );
  }
  await requireVersion(db, m.name, m.version);
  const lock = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  return db.transaction(async (tx) => {
    // The item row is the lock for its labels: it exists before any label does, so the first move of a
    // label is serialised as well as later ones (SQLite serialises all writers already).
    await tx.get(`SELECT name FROM library_items WHERE name = ?${lock}`, [m.name]);
    const current = await tx.get<{ version: number }>('SELECT version FROM labels WHERE name = ? AND label = ?', [
      m.name,
      m.label,
    ]);
    const held = current ? Number(current.version) : null;
    if (m.expected !== undefined && held !== m.expected) {
      const last = await lastLabelMove(tx, m.name, m.label);
      throw new LabelMovedError(
        `${m.label} of "${m.name}" is ${held === null ? 'unset' : `version ${held}`}, not ${m.expected === null ? 'unset' : `version ${m.expected}`} as expected: ` +
          (last ? `moved by ${last.actor} at ${last.movedAt} (${last.reason})` : 'moved meanwhile'),
        held,
        last,
      );
    }
    if (held === m.version)
      throw new LibraryError(
        `${m.label} of "${m.name}" already is version ${m.version}: nothing to move (no audit row written)`,
        409,
        'version',
      );
    const now = new Date().toISOString();
    if (current) {
      await tx.run('UPDATE labels SET version = ?, moved_at = ? WHERE name = ? AND label = ?', [
        m.version,
        now,
        m.name,
        m.label,
      ]);
    } else {
      await tx.run('INSERT INTO labels (name, label, version, moved_at) VALUES (?, ?, ?, ?)', [
        m.name,
        m.label,
        m.version,
        now,
      ]);
    }
    const row = await tx.get<MoveRow>(
      `INSERT INTO label_moves (name, label, from_version, to_version, actor, reason, moved_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [m.name, m.label, held, m.version, m.actor.subject, m.reason, now],
    );
    return toMove(row!);
  });
}

/** The newest audited move of one label (who moved it, when, why), if it ever moved. */
export async function lastLabelMove(db: Queryable, name: string, label: string): Promise<LabelMove | undefined> {
  const row = await db.get<MoveRow>(
    'SELECT * FROM label_moves WHERE name = ? AND label = ? ORDER BY seq DESC LIMIT 1',
    [name, label],
  );
  return row ? toMove(row) : undefined;
}

export const ROLLBACK_PREFIX = 'rollback: ';

/**
 * The version production held before its current one: walks the audit back past earlier rollbacks, so
 * two rollbacks in a row go two versions back rather than toggling.
 */
export async function previousProductionVersion(db: Queryable, name: string): Promise<number | undefined> {
  const moves = (await labelHistory(db, name, PROTECTED_LABEL)).reverse(); // newest first
  const current = moves[0]?.toVersion;
  if (current === undefined) return undefined;
  const setCurrent = moves.find((mv) => mv.toVersion === current && !mv.reason.startsWith(ROLLBACK_PREFIX));
  return setCurrent?.fromVersion ?? undefined;
}

/** One-call rollback: production to the previous (or the given) version, audited as a rollback. */
export async function rollbackProduction(
  db: Db,
  r: { name: string; to?: number; actor: Actor; reason: string },
): Promise<LabelMove> {
  await requireItem(db, r.name);
  if (!r.reason.trim()) throw new LibraryError('say why you roll back (--why)', 400, 'reason');
  const current = (await getLabels(db, r.name))[PROTECTED_LABEL];
  if (current === undefined) throw new LibraryError(`"${r.name}" has no production label to roll back`, 409, 'label');
  const to = r.to ?? (await previousProductionVersion(db, r.name));
  if (to === undefined)
    throw new LibraryError(`"${r.name}" has no earlier production version: name one with --to`, 409, 'to');
  if (to === current) throw new LibraryError(`production of "${r.name}" already is version ${to}`, 409, 'to');
  return moveLabel(db, {
    name: r.name,
    label: PROTECTED_LABEL,
    version: to,
    actor: r.actor,
    reason: `${ROLLBACK_PREFIX}${r.reason}`,
  });
}

export async function labelHistory(db: Queryable, name: string, label?: string): Promise<LabelMove[]> {
  const rows = label
    ? await db.all<MoveRow>('SELECT * FROM label_moves WHERE name = ? AND label = ? ORDER BY seq', [name, label])
    : await db.all<MoveRow>('SELECT * FROM label_moves WHERE name = ? ORDER BY seq', [name]);
  return rows.map(toMove);
}

/** Label moves after seq, oldest first: the change feed resolvers follow. */
export async function movesSince(db: Queryable, seq: number, limit = 500): Promise<LabelMove[]> {
  const rows = await db.all<MoveRow>('SELECT * FROM label_moves WHERE seq > ? ORDER BY seq LIMIT ?', [seq, limit]);
  return rows.map(toMove);
}

export async function lastMoveSeq(db: Queryable): Promise<number> {
  const row = await db.get<{ s: number | null }>('SELECT MAX(seq) AS s FROM label_moves');
  return Number(row?.s ?? 0);
}
