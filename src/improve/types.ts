import type { FailureKind } from '../cases/failure-kinds';
import type { OptimizeInput } from '../optimizer/types';

/** The steps of `refinery improve`, in order. */
export const IMPROVE_STEPS = ['harvest', 'review', 'tune', 'gate', 'approval', 'rollout', 'check'] as const;
export type ImproveStep = (typeof IMPROVE_STEPS)[number];

export type StepState = 'pending' | 'running' | 'waiting' | 'done' | 'skipped' | 'failed' | 'stopped';

export interface StepStatus {
  step: ImproveStep;
  state: StepState;
  /** One line: what happened, or what a person must send. */
  detail?: string;
  at?: string;
}

export interface ImproveInput {
  /** Unique per run: keys the stored step results, the child runs and the feedback it resolves. */
  runId: string;
  name: string;
  /** The dataset the accepted cases join; undefined: the newest one that targets `name`, else one called `name`. */
  dataset?: string;
  /** Tune on this dataset version when the review adds none (the monthly regression path: the golden dataset). */
  fallbackDataset?: { name: string; version: number };
  /** New cases one harvest queues at most. */
  harvestLimit?: number;
  /** How long the review may take before the loop goes on with the cases accepted so far. */
  reviewTimeoutMs: number;
  /** How long an approver has, after the gate, before the loop ends without shipping. */
  approvalTimeoutMs: number;
  /** The optimizer's settings and split (as `refinery tune --dataset` parses them); thenRollout is ignored. */
  tune: { split: OptimizeInput['split']; settings: OptimizeInput['settings'] };
  /** The gate: the candidate must reach this pass rate and not fall below production's on the new dataset. */
  gate: { passRateThreshold: number };
  rollout: { steps: number[]; bakeMs: number; evaluationIntervalMs: number; minSamples?: number };
  /** The post-rollout check: the failure kinds harvested, over this window before the run and after promotion. */
  check: { windowMs: number; minSamples: number };
  /** Steps skipped from the start (the monthly regression path skips harvest and review). */
  skip?: ImproveStep[];
  /** Who may approve (the item's owner and REFINERY_ADMINS) is read at the approval step. */
  startedBy: string;
}

/** Stop the run, skip a step, or answer the review or the approval. One message kind for the Web UI and the CLI. */
export interface ImproveControlInput {
  action: 'stop' | 'skip' | 'reviewed' | 'approve' | 'reject';
  /** For skip: the step (default: the current one). */
  step?: ImproveStep;
  /** For skip of the tune: the version to go on with. */
  version?: number;
  by: string;
  note?: string;
  /** Set by the API for an authenticated caller; a signal's claim is never trusted. */
  authenticated?: boolean;
  admin?: boolean;
}

export interface KindRates {
  runs: number;
  feedback: number;
  counts: Partial<Record<FailureKind, number>>;
}

export interface CheckOutcome {
  verdict: 'improved' | 'not-improved' | 'insufficient';
  kinds: { kind: FailureKind; before: number | null; after: number | null; fell: boolean }[];
  before: { version: number; from: string; to: string; runs: number };
  after: { version: number; from: string; to: string; runs: number };
  alertId?: string;
  detail: string;
}

export interface ImproveStatus {
  runId: string;
  name: string;
  current: ImproveStep | 'finished';
  steps: StepStatus[];
  /** The version in production when the run started (the harvested failures are its). */
  productionVersion?: number;
  harvest?: { queued: number; candidates: number; kinds: FailureKind[] };
  dataset?: { name: string; version: number; added: number };
  tune?: { workflowId: string; version?: number };
  gate?: { passed: boolean; candidate: number; production?: number; detail: string };
  rollout?: { workflowId: string; rolloutId: string; phase?: string; promotedAt?: string };
  resolvedFeedback?: number;
  check?: CheckOutcome;
  outcome?: string;
  /** Runs of this loop before the current one (continue-as-new during long waits). */
  continuedAsNew: number;
}
