import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../../store/db';

/**
 * Post-run evals (reference 000): after a tune or a rollout, a person writes down whether it was
 * effective and what would have made it better. Weekly and monthly reports count them.
 */
export const postRunEvalSchema = z.object({
  kind: z.enum(['tune', 'rollout'], { message: 'kind must be "tune" or "rollout"' }),
  subject: z.string().min(1, 'give the tune workflow id or rollout id').max(200),
  effective: z.boolean({ message: 'effective must be true or false (CLI: --effective yes|no)' }),
  better: z
    .string()
    .trim()
    .min(1, 'say what would have made it better (CLI: --better "…"); "nothing" is an answer')
    .max(5000),
});
export type PostRunEvalInput = z.infer<typeof postRunEvalSchema>;

export interface PostRunEval extends PostRunEvalInput {
  id: string;
  author: string;
  createdAt: string;
}

export async function recordPostRunEval(
  db: Queryable,
  input: PostRunEvalInput,
  author: string,
  now = new Date(),
): Promise<PostRunEval> {
  const e: PostRunEval = {
    ...input,
    id: `pre-${randomBytes(4).toString('hex')}`,
    author,
    createdAt: now.toISOString(),
  };
  await db.run(
    `INSERT INTO post_run_evals (id, subject_kind, subject_id, effective, better, author, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [e.id, e.kind, e.subject, e.effective ? 1 : 0, e.better, e.author, e.createdAt],
  );
  return e;
}

export async function listPostRunEvals(
  db: Queryable,
  filter: { kind?: 'tune' | 'rollout'; subject?: string; since?: string; until?: string } = {},
): Promise<PostRunEval[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.kind) {
    where.push('subject_kind = ?');
    params.push(filter.kind);
  }
  if (filter.subject) {
    where.push('subject_id = ?');
    params.push(filter.subject);
  }
  if (filter.since) {
    where.push('created_at > ?');
    params.push(filter.since);
  }
  if (filter.until) {
    where.push('created_at <= ?');
    params.push(filter.until);
  }
  const rows = await db.all(
    `SELECT * FROM post_run_evals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT 1000`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.subject_kind as 'tune' | 'rollout',
    subject: String(r.subject_id),
    effective: Number(r.effective) === 1,
    better: String(r.better),
    author: String(r.author),
    createdAt: String(r.created_at),
  }));
}

/** The counts a report shows: how many post-run evals, and how many called the run effective. */
export async function countPostRunEvals(
  db: Queryable,
  since: string,
  until: string,
): Promise<{ tune: { total: number; effective: number }; rollout: { total: number; effective: number } }> {
  const rows = await db.all<{ kind: string; total: number; effective: number }>(
    `SELECT subject_kind AS kind, COUNT(*) AS total, SUM(effective) AS effective FROM post_run_evals
     WHERE created_at > ? AND created_at <= ? GROUP BY subject_kind`,
    [since, until],
  );
  const out = { tune: { total: 0, effective: 0 }, rollout: { total: 0, effective: 0 } };
  for (const r of rows)
    if (r.kind === 'tune' || r.kind === 'rollout')
      out[r.kind] = { total: Number(r.total), effective: Number(r.effective ?? 0) };
  return out;
}

/** A post-run eval is about a run that exists: its tune workflow id (or run id), or its rollout id. */
export async function subjectExists(db: Queryable, kind: 'tune' | 'rollout', subject: string): Promise<boolean> {
  const row =
    kind === 'tune'
      ? await db.get('SELECT run_id FROM tune_runs WHERE run_id = ? OR workflow_id = ?', [subject, subject])
      : await db.get('SELECT rollout_id FROM rollouts WHERE rollout_id = ?', [subject]);
  return row !== undefined;
}

export const subjectHint = (kind: 'tune' | 'rollout') =>
  kind === 'tune' ? '`refinery list` shows tune runs' : '`refinery rollout status <name>` shows its rollout id';
