/**
 * The moment a calendar run reviews up to. Precedence: an explicit `asOf` (a person re-running a day),
 * then the Schedule's nominal start time (so a backfill or a run delayed by an outage reviews its own
 * day, not the day it happens to execute), then the workflow's clock. Pure: workflows import it.
 */
export type AsOfSource = 'input' | 'schedule' | 'workflow-clock';

export interface AsOfChoice {
  asOf: string;
  source: AsOfSource;
}

/** Why an explicit asOf cannot be used, or undefined when it can (or none was given). */
export function asOfProblem(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) || Number.isNaN(Date.parse(raw)))
    return `asOf must be an ISO date or time such as 2026-11-22T06:00:00Z, not "${raw}"`;
  return undefined;
}

export function chooseAsOf(sources: { input?: string; scheduledStart?: Date; workflowNow: Date }): AsOfChoice {
  if (sources.input !== undefined) return { asOf: new Date(sources.input).toISOString(), source: 'input' };
  if (sources.scheduledStart && !Number.isNaN(sources.scheduledStart.getTime()))
    return { asOf: sources.scheduledStart.toISOString(), source: 'schedule' };
  return { asOf: sources.workflowNow.toISOString(), source: 'workflow-clock' };
}
