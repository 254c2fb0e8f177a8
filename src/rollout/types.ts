/** The rollout workflow's input, state and messages: ids, versions and percentages only. */

export interface RolloutInput {
  rolloutId: string;
  name: string;
  candidateVersion: number;
  /** Canary shares in percent, e.g. [1, 10, 50, 100]. */
  steps: number[];
  bakeMs: number;
  /** How often the guard looks at live signals during a bake. */
  evaluationIntervalMs: number;
  approval: { required: boolean; timeoutMs: number; approvers: string[] };
  /** The golden dataset the staging gate runs on; undefined skips the gate (said in the report). */
  gate?: { dataset: string; datasetVersion: number; passRateThreshold: number };
  guard?: { minSamples?: number; alpha?: number };
  startedBy: string;
}

export type RolloutPhase =
  'staging' | 'awaiting-approval' | 'baking' | 'paused' | 'promoted' | 'rolled-back' | 'rejected' | 'aborted';

export interface RolloutStatus {
  rolloutId: string;
  name: string;
  candidateVersion: number;
  controlVersion?: number;
  phase: RolloutPhase;
  step: number;
  percent: number;
  events: { at: string; kind: string; detail: string }[];
  outcome?: string;
}

export interface ApprovalInput {
  decision: 'approve' | 'reject';
  by: string;
  note?: string;
}

export interface ControlInput {
  action: 'pause' | 'resume' | 'abort' | 'emergency-rollback';
  by: string;
  reason?: string;
}
