import type { DecisionInput, IterationRecord, TuneInput, TuneState, TuneStatus } from './types';

/** Pure helpers over the tune state: the workflow calls them, tests table-check them. */

export const MAX_CONTINUE_ITERATIONS = 50;

export function initialTuneState(input: TuneInput): TuneState {
  return {
    phase: 'starting',
    iteration: 0,
    maxIterations: input.settings.maxIterations,
    current: Object.fromEntries(input.skills.map((s) => [s.name, s.originalHash])),
    iterations: [],
    consecutiveErrors: 0,
    decisions: [],
    acknowledgedCategories: [],
    warnings: [],
    continuedAsNew: 0,
    windowStart: 0,
    runWeaknesses: Object.fromEntries(input.skills.map((s) => [s.name, []])),
    recurringChecked: false,
  };
}

export function scoredIterations(state: TuneState): (IterationRecord & { score: number })[] {
  return state.iterations.filter((i): i is IterationRecord & { score: number } => i.score !== null);
}

/**
 * The best iteration by score; the earliest wins a tie (fewer changes for the same quality). An iteration
 * whose judge failed is never chosen: its score says the judgement failed, not what the version is worth.
 */
export function bestIteration(state: TuneState): (IterationRecord & { score: number }) | undefined {
  let best: (IterationRecord & { score: number }) | undefined;
  for (const it of scoredIterations(state)) if (!it.judgeFailure && (!best || it.score > best.score)) best = it;
  return best;
}

/**
 * The scores the termination rules read: the current window's, without iterations whose judge failed (a
 * failed judgement is no step in the progression, so it neither meets the threshold nor feigns convergence).
 */
export function judgedScores(state: TuneState): number[] {
  return scoredIterations(state)
    .slice(state.windowStart)
    .filter((i) => !i.judgeFailure)
    .map((i) => i.score);
}

export function toStatus(input: TuneInput, state: TuneState): TuneStatus {
  return {
    runId: input.runId,
    skills: input.skills.map((s) => s.name),
    phase: state.phase,
    iteration: state.iteration,
    maxIterations: state.maxIterations,
    threshold: input.settings.threshold,
    scores: state.iterations.map((i) => i.score ?? NaN).filter((n) => !Number.isNaN(n)),
    bestScore: bestIteration(state)?.score,
    stall: state.stall,
    termination: state.termination,
    warnings: state.warnings,
    decisions: state.decisions,
    outcome: state.outcome,
    judgeFailures: state.iterations.filter((i) => i.judgeFailure).length,
    assertionErrors: state.iterations.reduce((n, i) => n + (i.assertions?.errored ?? 0), 0),
    models: state.models,
  };
}

/** Why a decision cannot be taken now, or undefined when it can (the update's validator). */
export function decisionProblem(state: TuneState, d: DecisionInput): string | undefined {
  if (state.phase !== 'awaiting-decision') return `the run is not awaiting a decision (phase: ${state.phase})`;
  if (!['continue', 'accept', 'rollback', 'cancel'].includes(d.action)) {
    return `unknown action "${d.action}": use continue, accept, rollback or cancel`;
  }
  if (!d.by || !d.by.trim()) return 'say who decides: --by <name>';
  if (d.action === 'continue') {
    const n = d.iterations ?? 0;
    if (!Number.isInteger(n) || n < 1 || n > MAX_CONTINUE_ITERATIONS) {
      return `continue needs --iterations between 1 and ${MAX_CONTINUE_ITERATIONS}`;
    }
  }
  if (d.note && d.note.length > 2000) return 'the note is over 2000 characters';
  return undefined;
}

/** Applies a taken decision to the state; returns true when the loop goes on. */
export function applyDecision(state: TuneState, d: DecisionInput, decidedAt: string, timedOut = false): boolean {
  const reason = state.stall?.reason ?? 'recurring-weakness';
  state.decisions.push({ ...d, reason, decidedAt, timedOut: timedOut || undefined });
  const category = state.stall && /"([^"]+)"/.exec(state.stall.detail)?.[1];
  state.stall = undefined;
  if (timedOut) {
    state.termination = 'decision-timeout';
    return false;
  }
  switch (d.action) {
    case 'continue':
      state.maxIterations = state.iteration + (d.iterations ?? 1);
      state.consecutiveErrors = 0;
      state.windowStart = scoredIterations(state).length;
      if (category) state.acknowledgedCategories.push(category);
      state.termination = undefined;
      return true;
    case 'accept':
      state.termination = 'accepted';
      return false;
    case 'rollback':
      state.termination = 'rolled-back';
      return false;
    case 'cancel':
      state.termination = 'cancelled';
      return false;
  }
}
