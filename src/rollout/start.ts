import type { Client } from '@temporalio/client';
import { requireItem, requireVersion } from '../library/versions';
import { datasetForTarget, getDataset } from '../store/evals';
import type { Db } from '../store/db';
import type { RunBinding } from '../temporal/store-binding';
import { DEFAULT_APPROVAL_TIMEOUT_MS, DEFAULT_BAKE_MS, DEFAULT_INTERVAL_MS, DEFAULT_STEPS } from './plan';
import { rolloutInputProblem } from './plan';
import { experimentRunningMessage, runningExperiment } from './rollout-store';
import type { RolloutInput } from './types';
import { rolloutMetadata } from '../web-ui/static-metadata';

export const DEFAULT_THRESHOLD = 0.8;

/** One rollout per item at a time: the workflow id is the item's. */
export const rolloutWorkflowId = (name: string) => `rollout-${name}`;

/** A rollout as a person asks for it (CLI flags or an API body), before it becomes a workflow input. */
export interface RolloutRequest {
  name: string;
  version: number;
  steps?: number[];
  bakeMs?: number;
  evaluationIntervalMs?: number;
  maxBakeExtensionMs?: number;
  /** false: no approval step. */
  approval?: boolean;
  /** The golden dataset; undefined: the one imported for this item. */
  dataset?: { name: string; version?: number };
  /** true: no staging gate (said in the report). */
  noGate?: boolean;
  threshold?: number;
  minSamples?: number;
  startedBy: string;
  /** REFINERY_ADMINS: they approve, with the item's owner. */
  admins: string[];
}

/** A request that cannot become a rollout; the message names the field and the fix. */
export class RolloutRequestError extends Error {
  override readonly name = 'RolloutRequestError';
  /** 'already-running': another experiment of the item runs (CLI exit 3, API 409); else the request is bad. */
  constructor(
    message: string,
    readonly kind: 'bad-request' | 'already-running' = 'bad-request',
  ) {
    super(message);
  }
}

/**
 * Checks a rollout request against the store and the plan's rules and builds the workflow input, so the
 * CLI (local mode) and the API start the same rollout. Missing items and versions throw LibraryError.
 */
export async function buildRolloutInput(db: Db, r: RolloutRequest): Promise<RolloutInput> {
  const threshold = r.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1))
    throw new RolloutRequestError(`threshold ${r.threshold}: give a pass rate from 0 to 1`);
  const item = await requireItem(db, r.name);
  const candidateVersion = (await requireVersion(db, r.name, r.version)).version;
  // One experiment per prompt; the rollout's own activities check again, so a race is refused too.
  const running = await runningExperiment(db, r.name);
  if (running) throw new RolloutRequestError(experimentRunningMessage(running), 'already-running');
  let gate: RolloutInput['gate'];
  if (!r.noGate) {
    const ds = r.dataset ? await getDataset(db, r.dataset.name, r.dataset.version) : await datasetForTarget(db, r.name);
    if (!ds)
      throw new RolloutRequestError(
        r.dataset
          ? `no golden dataset "${r.dataset.name}${r.dataset.version === undefined ? '' : `@${r.dataset.version}`}"`
          : `no golden dataset for "${r.name}": import one (refinery dataset add … --for ${r.name}), pass --dataset, or --no-gate`,
      );
    gate = { dataset: ds.name, datasetVersion: ds.version, passRateThreshold: threshold };
  }
  const input: RolloutInput = {
    // Unique per rollout: the gate's eval run, the events and the split row are keyed by it.
    rolloutId: `${rolloutWorkflowId(r.name)}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
    name: r.name,
    candidateVersion,
    steps: r.steps ?? DEFAULT_STEPS,
    bakeMs: r.bakeMs ?? DEFAULT_BAKE_MS,
    evaluationIntervalMs: r.evaluationIntervalMs ?? DEFAULT_INTERVAL_MS,
    maxBakeExtensionMs: r.maxBakeExtensionMs,
    approval: {
      required: r.approval !== false,
      timeoutMs: DEFAULT_APPROVAL_TIMEOUT_MS,
      approvers: [...new Set([item.owner, ...r.admins])],
    },
    gate,
    guard: r.minSamples === undefined ? undefined : { minSamples: r.minSamples },
    startedBy: r.startedBy,
  };
  const problem = rolloutInputProblem(input);
  if (problem) throw new RolloutRequestError(problem);
  return input;
}

/** Starts the rollout workflow; a rollout of the item already running throws WorkflowExecutionAlreadyStartedError. */
export async function startRollout(
  client: Client,
  binding: Pick<RunBinding, 'taskQueue' | 'memo'>,
  input: RolloutInput,
) {
  return client.workflow.start('rolloutWorkflow', {
    taskQueue: binding.taskQueue,
    memo: binding.memo,
    workflowId: rolloutWorkflowId(input.name),
    args: [input],
    ...rolloutMetadata(input),
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}
