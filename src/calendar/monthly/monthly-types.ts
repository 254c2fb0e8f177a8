import type { AuditFinding } from '../quarterly/library-audit';
import type { ShiftVerdict } from '../quarterly/dataset-refresh';
import type { Comparison, GoldenResult, PreviousResult } from './golden-compare';
import type { RecalibrationDecision } from './recalibrate';

/**
 * What the monthly and quarterly workflows pass to and get from their activities: names, numbers,
 * versions and blob hashes only — never prompt contents, dataset inputs or keys.
 */

/** One active prompt the monthly run re-evaluates: its production version against its golden dataset. */
export interface GoldenTarget {
  name: string;
  kind: 'prompt' | 'skill';
  version: number;
  dataset: string;
  datasetVersion: number;
  /** Its result in the latest earlier monthly run that evaluated it. */
  previous?: PreviousResult;
}

export interface MonthlyPlan {
  targets: GoldenTarget[];
  /** Production prompts with no golden dataset: nothing to re-run (the quarterly audit lists them). */
  withoutDataset: string[];
  /** The earlier monthly run compared with, if any. */
  previousRunId?: string;
}

export interface Regression {
  name: string;
  kind: 'prompt' | 'skill';
  version: number;
  dataset: string;
  datasetVersion: number;
  evalRunId: string;
  passRate: number;
  previousPassRate?: number;
  reasons: string[];
}

export interface TuneStart {
  name: string;
  workflowId: string;
}

export interface MonthlyOutcome {
  runId: string;
  asOf: string;
  startedAt: string;
  plan: MonthlyPlan;
  results: GoldenResult[];
  comparisons: Comparison[];
  tunesStarted: TuneStart[];
  /** Regressions with no tune: the policy is off, or the item is not a skill. */
  tunesSkipped: { name: string; reason: string }[];
  recalibration: RecalibrationDecision[];
}

export interface DatasetReview {
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
  datasets: DatasetReview[];
  drills: DrillResult[];
}
