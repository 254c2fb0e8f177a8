import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AbStatus, AbStopInput } from './rollout/ab-types';
import type { ApprovalInput, ControlInput, RolloutStatus } from './rollout/types';
import type { DecisionInput, TuneStatus } from './tune/types';
import type { OptimizeStatus } from './optimizer/types';
import type { ImproveControlInput, ImproveStatus } from './improve/types';

/** Default task queue; REFINERY_TASK_QUEUE overrides it for worker and clients alike. */
export const DEFAULT_TASK_QUEUE = 'refinery';

/** Custom search attributes registered on the dev server so the Web UI can filter on them. */
export const SEARCH_ATTRIBUTES = {
  status: 'RefineryStatus',
  skill: 'RefinerySkill',
  rolloutStep: 'RefineryRolloutStep',
} as const;
export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword' | 'Int'> = {
  RefineryStatus: 'Keyword',
  RefinerySkill: 'Keyword',
  RefineryRolloutStep: 'Int',
};

// ---- self-check: the stack's smoke workflow (worker, store, signal, update, query) ----------------

export interface SelfCheckInput {
  /** Key of the side effect the activity applies exactly once. */
  effectKey: string;
  /** How long the activity keeps working after applying its effect (lets tests kill it mid-way). */
  holdMs?: number;
  /** When set, the workflow waits for a `finish` signal before completing. */
  waitForFinish?: boolean;
  /** Upper bound for that wait, in ms; the workflow completes as 'timed-out' after it. */
  finishTimeoutMs?: number;
}

export interface SelfCheckStatus {
  phase: 'applying' | 'waiting' | 'done' | 'timed-out';
  label: string;
  notes: string[];
  effectApplied: boolean;
  attempts: number;
}

export interface AddNoteInput {
  note: string;
}
export interface SetLabelInput {
  label: string;
}
export interface FinishInput {
  by: string;
}

// Signal: fire-and-forget, and the Web UI can send it.
export const addNoteSignal = defineSignal<[AddNoteInput]>('addNote');
export const finishSignal = defineSignal<[FinishInput]>('finish');
// Update: the caller learns whether its input was accepted (the validator rejects bad labels).
export const setLabelUpdate = defineUpdate<string, [SetLabelInput]>('setLabel');
export const selfCheckStatusQuery = defineQuery<SelfCheckStatus>('status');

/** Label rule shared by the update validator and its tests. */
export const LABEL_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

// ---- tune -------------------------------------------------------------------------------------------

export const tuneStatusQuery = defineQuery<TuneStatus>('status');
// Update: the CLI learns at once whether its decision was accepted (the validator rejects it otherwise).
export const decideUpdate = defineUpdate<string, [DecisionInput]>('decide');
// Signal of the same shape: the Web UI can send signals but not updates.
export const decideSignal = defineSignal<[DecisionInput]>('decide');
// The optimizer (`refinery tune <name> --dataset`) answers the same `status` query name with its own shape and
// takes the same decide update and signal, so `refinery status` and `refinery decide` serve both kinds of run.
export const optimizeStatusQuery = defineQuery<OptimizeStatus>('status');

// ---- rollouts ---------------------------------------------------------------------------------------

export const rolloutStatusQuery = defineQuery<RolloutStatus>('status');
// Approval as an update (the CLI learns at once if the approver is refused) and as a signal (Web UI).
export const approveUpdate = defineUpdate<string, [ApprovalInput]>('approve');
export const approveSignal = defineSignal<[ApprovalInput]>('approve');
// Pause, resume, abort and emergency rollback: an update for the CLI, a signal for the Web UI.
export const controlUpdate = defineUpdate<string, [ControlInput]>('control');
export const controlSignal = defineSignal<[ControlInput]>('control');

export const abStatusQuery = defineQuery<AbStatus>('status');
// Stop as an update (the CLI learns at once whether it was accepted) and as a signal (the Web UI can send it).
export const abStopUpdate = defineUpdate<string, [AbStopInput]>('stop');
export const abStopSignal = defineSignal<[AbStopInput]>('stop');

// ---- refinery improve: harvest → review → tune → gate → approval → rollout → check -----------------

export const improveStatusQuery = defineQuery<ImproveStatus>('status');
// Stop, skip, "reviewed", approve and reject: an update for the CLI (it learns at once if refused) and a
// signal for the Web UI.
export const improveControlUpdate = defineUpdate<string, [ImproveControlInput]>('control');
export const improveControlSignal = defineSignal<[ImproveControlInput]>('control');

// ---- a child optimizer run and its parent (an improve run, a chain) ---------------------------------

/** What a child optimizer run sends its parent when it starts or stops waiting for a decision. */
export type ChildStallInput =
  | {
      state: 'waiting';
      /** The child's workflow id: where the decision goes. */
      workflowId: string;
      /** The library item the child tunes. */
      item: string;
      reason: string;
      /** ISO time the stall began. */
      since: string;
      /** The `refinery decide` command line that answers it. */
      decide: string;
    }
  | { state: 'cleared'; workflowId: string; item: string };

// Signal from the child to its parent when it starts or stops waiting for a decision: a workflow cannot query
// another, and the parent's Web UI details and RefineryStatus should say that a decision is needed.
export const childStallSignal = defineSignal<[ChildStallInput]>('childStall');
