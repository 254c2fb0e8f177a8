import type { ApprovalInput, ControlInput, RolloutStatus } from './types';

/** Pure rules of the rollout workflow, table-tested. */

export const DEFAULT_STEPS = [1, 10, 50, 100];
/** Defaults the CLI applies and its help states (test/rollout/plan.test.ts checks the help against them). */
export const DEFAULT_BAKE_MS = 60 * 60_000;
export const DEFAULT_INTERVAL_MS = 60_000;
/** Default extension: a step may bake twice as long as asked while waiting for samples. */
export const defaultMaxBakeExtensionMs = (bakeMs: number) => bakeMs;
export const DEFAULT_APPROVAL_TIMEOUT_MS = 7 * 86_400_000;

export const MIN_INTERVAL_MS = 10_000;
export const MAX_INTERVAL_MS = 86_400_000;
export const MAX_BAKE_MS = 90 * 86_400_000;

/**
 * Looks (guard checks) one run of the workflow makes before it continues as new. A look costs about a
 * dozen history events (timer, activity, workflow tasks), so 400 looks keep a run near 5,000 events,
 * well under Temporal's 10,000-event warning, whatever the bake or interval.
 */
export const LOOKS_PER_RUN = 400;
/** Events the status keeps in memory (and carries across continue-as-new); the store keeps all. */
export const RECENT_EVENTS = 50;

export function stepsProblem(steps: number[]): string | undefined {
  if (steps.length === 0) return 'give at least one step';
  if (steps.some((s) => !(s > 0 && s <= 100))) return 'steps are percentages above 0 and at most 100';
  if (steps.some((s, i) => i > 0 && s <= steps[i - 1]!)) return 'steps must increase (e.g. 1,10,50,100)';
  if (steps[steps.length - 1] !== 100) return 'the last step must be 100';
  return undefined;
}

const human = (ms: number) =>
  ms % 86_400_000 === 0
    ? `${ms / 86_400_000}d`
    : ms % 3_600_000 === 0
      ? `${ms / 3_600_000}h`
      : ms % 60_000 === 0
        ? `${ms / 60_000}m`
        : `${ms / 1000}s`;

/**
 * Why a rollout's durations cannot be used, naming the option and the bound. One function for the CLI
 * (before anything starts) and the workflow (for rollouts started through the API or a client).
 */
export function durationsProblem(d: {
  bakeMs: number;
  evaluationIntervalMs: number;
  maxBakeExtensionMs?: number;
}): string | undefined {
  const ok = (x: number) => Number.isFinite(x) && Number.isInteger(x);
  if (!ok(d.bakeMs) || d.bakeMs <= 0) return `--bake must be a positive duration (got ${d.bakeMs} ms)`;
  if (d.bakeMs > MAX_BAKE_MS) return `--bake ${human(d.bakeMs)} is longer than 90 days: bake each step at most 90d`;
  if (!ok(d.evaluationIntervalMs) || d.evaluationIntervalMs < MIN_INTERVAL_MS)
    return `--interval ${human(d.evaluationIntervalMs)} is under 10s: the guard looks at most every 10s`;
  if (d.evaluationIntervalMs > MAX_INTERVAL_MS)
    return `--interval ${human(d.evaluationIntervalMs)} is over a day: the guard must look at least daily`;
  const ext = d.maxBakeExtensionMs;
  if (ext !== undefined && (!ok(ext) || ext < 0))
    return `--max-bake-extension must be a duration of 0 or more (got ${ext} ms)`;
  if (ext !== undefined && ext > MAX_BAKE_MS)
    return `--max-bake-extension ${human(ext)} is longer than 90 days: extend a bake at most 90d`;
  return undefined;
}

/** Every rule on a rollout's input: what the workflow checks first, whoever started it. */
export function rolloutInputProblem(i: {
  rolloutId: string;
  steps: number[];
  bakeMs: number;
  evaluationIntervalMs: number;
  maxBakeExtensionMs?: number;
  guard?: { minSamples?: number; alpha?: number };
}): string | undefined {
  if (!i.rolloutId?.trim()) return 'rolloutId is required (unique per rollout)';
  const steps = stepsProblem(i.steps);
  if (steps) return `steps ${i.steps.join(',')}: ${steps}`;
  return durationsProblem(i) ?? guardProblem(i.guard);
}

/** The guard's options as a person gives them; the guard itself would throw on these at every look. */
export function guardProblem(g: { minSamples?: number; alpha?: number } = {}): string | undefined {
  if (g.minSamples !== undefined && !(Number.isInteger(g.minSamples) && g.minSamples >= 2))
    return `--min-samples must be a whole number of 2 or more (got ${g.minSamples})`;
  if (g.alpha !== undefined && !(g.alpha > 0 && g.alpha < 1)) return `guard alpha must be in (0, 1) (got ${g.alpha})`;
  return undefined;
}

/** What the bake loop does after a look that found no breach. */
export type LookMove = 'bake' | 'advance' | 'extend' | 'await-evidence';

/**
 * No step without evidence: a step advances only once its bake is over AND both arms have the guard's
 * minimum samples on every signal; short of samples the bake extends up to its limit, then a person
 * decides. `bakedMs` counts the extension too.
 */
export function afterLook(p: {
  bakedMs: number;
  bakeMs: number;
  maxBakeExtensionMs: number;
  enoughSamples: boolean;
}): LookMove {
  if (p.bakedMs < p.bakeMs) return 'bake';
  if (p.enoughSamples) return 'advance';
  if (p.bakedMs < p.bakeMs + p.maxBakeExtensionMs) return 'extend';
  return 'await-evidence';
}

/** The next timer of the bake loop: up to the interval, ending exactly at the bake's end and at the extension's. */
export function nextWaitMs(p: {
  bakedMs: number;
  bakeMs: number;
  maxBakeExtensionMs: number;
  evaluationIntervalMs: number;
  awaitingEvidence: boolean;
}): number {
  if (p.awaitingEvidence) return p.evaluationIntervalMs;
  const until = p.bakedMs < p.bakeMs ? p.bakeMs : p.bakeMs + p.maxBakeExtensionMs;
  return Math.max(1, Math.min(p.evaluationIntervalMs, until - p.bakedMs));
}

/** Why an approval cannot be taken: the phase, or an approver who is not the owner or an admin. */
export function approvalProblem(s: RolloutStatus, a: ApprovalInput, approvers: string[]): string | undefined {
  if (s.phase !== 'awaiting-approval' && s.phase !== 'awaiting-evidence')
    return `the rollout is not awaiting approval (phase: ${s.phase})`;
  if (a.decision !== 'approve' && a.decision !== 'reject') return 'decision must be approve or reject';
  // An admin is taken at its word only when an API token says so (a.admin is set by the API alone).
  if (!approvers.includes(a.by) && !(a.authenticated === true && a.admin === true))
    return `${a.by} may not approve: only ${approvers.join(', ')} (the owner or an admin)`;
  return undefined;
}

export function controlProblem(s: RolloutStatus, c: ControlInput): string | undefined {
  const done = ['promoted', 'rolled-back', 'rejected', 'aborted'].includes(s.phase);
  if (done && c.action !== 'emergency-rollback') return `the rollout has ended (${s.phase})`;
  if (c.action === 'pause' && s.phase !== 'baking' && s.phase !== 'awaiting-evidence')
    return 'only a baking rollout can be paused';
  if (c.action === 'resume' && s.phase !== 'paused') return 'only a paused rollout can be resumed';
  if (!c.by?.trim()) return 'say who acts (--by)';
  return undefined;
}
