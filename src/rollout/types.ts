/** The rollout workflow's input, state and messages: ids, versions and percentages only. */

export interface RolloutInput {
  /** Unique per rollout (not per prompt): the gate's eval run, events and the split row are keyed by it. */
  rolloutId: string;
  name: string;
  candidateVersion: number;
  /** Canary shares in percent, e.g. [1, 10, 50, 100]. */
  steps: number[];
  bakeMs: number;
  /** How often the guard looks at live signals during a bake. */
  evaluationIntervalMs: number;
  /**
   * How long a step's bake may extend past bakeMs while either arm lacks the guard's minimum samples;
   * after that the rollout waits for an approver. Undefined: DEFAULT_MAX_BAKE_EXTENSION_MS.
   */
  maxBakeExtensionMs?: number;
  approval: { required: boolean; timeoutMs: number; approvers: string[] };
  /** The golden dataset the staging gate runs on; undefined skips the gate (said in the report). */
  gate?: { dataset: string; datasetVersion: number; passRateThreshold: number };
  guard?: { minSamples?: number; alpha?: number };
  startedBy: string;
  /** Set only by the workflow itself when it continues as new: where the bake loop stands. */
  resume?: RolloutCarry;
}

/**
 * What one run of the rollout workflow hands the next when it continues as new: small and bounded
 * (the last few events only; the full list is in the store's rollout_events).
 */
export interface RolloutCarry {
  controlVersion: number;
  /** Start of the guard's comparison window (the store's clock at planning). */
  since: string;
  /** Index into steps of the step being baked. */
  stepIndex: number;
  /** Time baked in that step, extension included. */
  bakedMs: number;
  /** Time spent in awaiting-evidence in that step (bounded by approval.timeoutMs). */
  awaitingMs: number;
  phase: 'baking' | 'awaiting-evidence';
  /** What the last look saw (runs and fewest samples per arm), for the events that follow it. */
  lastSamples: string;
  /** Events recorded so far: the next event's index, so indices stay unique across runs. */
  eventCount: number;
  recentEvents: RolloutEvent[];
  /** Which run of the chain this is (1 for the first): shown in status, useful in the Web UI. */
  run: number;
}

export type RolloutPhase =
  | 'staging'
  | 'awaiting-approval'
  | 'baking'
  | 'awaiting-evidence'
  | 'paused'
  | 'promoted'
  | 'rolled-back'
  | 'rejected'
  | 'aborted';

export interface RolloutEvent {
  at: string;
  kind: string;
  detail: string;
}

export interface RolloutStatus {
  rolloutId: string;
  name: string;
  candidateVersion: number;
  controlVersion?: number;
  phase: RolloutPhase;
  step: number;
  percent: number;
  /** The most recent events (at most RECENT_EVENTS); all of them are in the store (rollout_events). */
  events: RolloutEvent[];
  /** How many events the rollout has recorded in all. */
  eventCount: number;
  outcome?: string;
}

export interface ApprovalInput {
  decision: 'approve' | 'reject';
  by: string;
  note?: string;
  /** true when `by` is an API token's subject; false when it came as a signal (see src/user-identity.ts). */
  authenticated?: boolean;
  /** Set by the API for an admin token: an authenticated admin may approve without being listed. */
  admin?: boolean;
}

export interface ControlInput {
  action: 'pause' | 'resume' | 'abort' | 'emergency-rollback';
  by: string;
  reason?: string;
  /** As in ApprovalInput. */
  authenticated?: boolean;
}
