import type { Queryable } from '../../store/db';
import type { CalendarRunResult, Period } from './periods';

/** The record of each calendar run: what it counted and where its report is, for reports and the CLI. */
export async function recordCalendarRun(
  db: Queryable,
  r: CalendarRunResult & { startedAt: string; finishedAt: string; summary?: Record<string, unknown> },
): Promise<void> {
  await db.run(
    `INSERT INTO calendar_runs (run_id, period, as_of, status, summary, report_ref, started_at, finished_at)
     VALUES (?, ?, ?, 'completed', ?, ?, ?, ?)
     ON CONFLICT (run_id) DO UPDATE SET summary = excluded.summary, report_ref = excluded.report_ref,
       finished_at = excluded.finished_at`,
    [
      r.runId,
      r.period,
      r.asOf,
      JSON.stringify({ counts: r.counts, ...(r.summary ?? {}) }),
      r.reportRef ?? null,
      r.startedAt,
      r.finishedAt,
    ],
  );
}

export interface CalendarRunRow {
  runId: string;
  period: Period;
  asOf: string;
  summary: { counts: Record<string, number> } & Record<string, unknown>;
  reportRef: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export async function getCalendarRun(db: Queryable, runId: string): Promise<CalendarRunRow | undefined> {
  const r = await db.get('SELECT * FROM calendar_runs WHERE run_id = ?', [runId]);
  return r ? toRow(r) : undefined;
}

export async function listCalendarRuns(
  db: Queryable,
  filter: { period?: Period; before?: string; limit?: number } = {},
): Promise<CalendarRunRow[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.period) {
    where.push('period = ?');
    params.push(filter.period);
  }
  if (filter.before) {
    where.push('as_of < ?');
    params.push(filter.before);
  }
  params.push(filter.limit ?? 50);
  const rows = await db.all(
    `SELECT * FROM calendar_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY as_of DESC LIMIT ?`,
    params,
  );
  return rows.map(toRow);
}

function toRow(r: Record<string, unknown>): CalendarRunRow {
  return {
    runId: String(r.run_id),
    period: r.period as Period,
    asOf: String(r.as_of),
    summary: JSON.parse(String(r.summary)) as CalendarRunRow['summary'],
    reportRef: (r.report_ref as string | null) ?? null,
    startedAt: String(r.started_at),
    finishedAt: (r.finished_at as string | null) ?? null,
  };
}
