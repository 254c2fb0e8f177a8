import type { ShiftVerdict } from './dataset-refresh';
import type { AuditFinding } from './library-audit';

/**
 * What the quarterly workflow passes to and gets from its activities: names, numbers, versions and
 * blob hashes only — never prompt contents, dataset inputs or keys.
 */

export interface DatasetRefresh {
  name: string;
  dataset: string;
  datasetVersion: number;
  verdict: ShiftVerdict;
}

export interface DrillResult {
  name: string;
  production: number;
  /** The version staging served before the drill and was rolled back to. */
  original?: number;
  /** The version staging was moved away to (the rollback's start). */
  target?: number;
  /** `skipped`: the worker has no API to drill through (the detail names the settings). */
  status: 'passed' | 'failed' | 'no-target' | 'skipped';
  /** Time from the rollback move through the API until a client resolver served the original again. */
  timeToRollbackMs?: number;
  detail: string;
}

export interface QuarterlyOutcome {
  runId: string;
  asOf: string;
  startedAt: string;
  items: number;
  findings: AuditFinding[];
  datasets: DatasetRefresh[];
  drills: DrillResult[];
}
