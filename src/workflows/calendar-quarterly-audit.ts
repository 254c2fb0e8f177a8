import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { DrillResult } from '../calendar/quarterly/quarterly-types';
import type { CalendarInput, CalendarRunResult } from '../calendar/shared/periods';
import { calendarAsOf } from './calendar-as-of';

type Activities = ReturnType<typeof createActivities>;

// Store reads and writes over the whole library in one call each; the default retries heal a locked or
// restarting database, and every one of them is idempotent on the run id.
const store = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes' });
// The dataset review and the drills loop over every prompt and heartbeat each one, so a dead worker's
// call moves elsewhere within a minute; the drills skip prompts already drilled in this run.
const sweep = proxyActivities<Activities>({ startToCloseTimeout: '1 hour', heartbeatTimeout: '1 minute' });

/** Prompts per drill activity: bounded history for a large library, and a retry redoes little. */
const DRILL_BATCH = 20;

/**
 * Quarterly (reference 001): the library health audit, the golden dataset refresh review against the
 * last quarter's production inputs, and a rollback drill per production prompt; report recorded.
 */
export async function quarterlyAuditWorkflow(input: CalendarInput = {}): Promise<CalendarRunResult> {
  const { asOf, source } = calendarAsOf(input);
  const runId = workflowInfo().workflowId;
  const startedAt = new Date().toISOString();
  log.info('quarterly library audit', { asOf, source });

  const audit = await store.auditLibraryItems({ asOf });
  const datasets = await sweep.reviewDatasetShift({ asOf });
  const drills: DrillResult[] = [];
  // Bounded by the production prompts: one local activity per drill, no waiting loop.
  for (let i = 0; i < audit.production.length; i += DRILL_BATCH)
    drills.push(...(await sweep.runRollbackDrills({ runId, names: audit.production.slice(i, i + DRILL_BATCH) })));

  const { reportRef, counts } = await store.finishQuarterlyRun({
    runId,
    asOf,
    startedAt,
    items: audit.items,
    findings: audit.findings,
    datasets,
    drills,
  });
  return { runId, period: 'quarterly', asOf, counts, reportRef };
}
