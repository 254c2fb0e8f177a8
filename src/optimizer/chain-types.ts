import { defineQuery } from '@temporalio/workflow';
import type { ModelChoice } from '../tune/types';
import type { CandidateRef, OptimizeInput, OptimizeStatus, SplitSettings } from './types';

/**
 * The folder form's chain mode (`refinery tune <dir>… --scenario … --chain`) through the optimizer: one optimizer run
 * per skill, in order, each on the folder's cases with the artifacts of the skills before it (their chosen
 * versions) in its input. Only names, versions, refs and settings: contents and outputs stay in the store.
 */
export interface ChainTuneInput {
  runId: string;
  /** In chain order; each skill pushed as a library version, its folder where the client that waits writes. */
  skills: { name: string; version: number; dir: string }[];
  /** The folder's cases (scenario and golden): every step's dataset is made from them. */
  base: { name: string; version: number };
  split: SplitSettings;
  settings: OptimizeInput['settings'];
  startedBy: string;
}

export interface ChainStepStatus {
  skill: string;
  dir: string;
  /** The step's optimizer run, once it started. */
  workflowId?: string;
  dataset?: { name: string; version: number };
  /** The step's final status, once it ended. */
  status?: OptimizeStatus;
}

export interface ChainTuneStatus {
  runId: string;
  phase: string;
  steps: ChainStepStatus[];
}

/** The input of the activity that makes one chain step's dataset. */
export interface ChainStepInput {
  runId: string;
  /** 0-based position of the skill in the chain. */
  step: number;
  skill: string;
  last: boolean;
  base: { name: string; version: number };
  /** The step before: the candidate it chose, run on its own dataset to make this step's upstream artifacts. */
  previous?: {
    skill: string;
    chosen: CandidateRef;
    dataset: { name: string; version: number };
    upstreamRef?: string;
  };
  executor: ModelChoice;
  startedBy: string;
}

export interface ChainStepResult {
  dataset: { name: string; version: number };
  /** Blob of Record<caseId, UpstreamArtifact[]>: what the next step adds to. */
  upstreamRef?: string;
}

export const chainTuneStatusQuery = defineQuery<ChainTuneStatus>('chainStatus');
