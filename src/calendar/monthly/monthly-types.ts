import type { Comparison, GoldenResult, PreviousResult } from './golden-compare';
import type { RecalibrationDecision } from './recalibrate';

/**
 * What the monthly workflow passes to and gets from its activities: names, numbers,
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

/** A golden re-run that regressed: its result's identity and pass rate, last month's, and why it counts. */
export type Regression = Pick<
  GoldenResult,
  'name' | 'kind' | 'version' | 'dataset' | 'datasetVersion' | 'evalRunId' | 'passRate'
> & {
  previousPassRate?: number;
  reasons: string[];
};

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
