import { MAX_CONTINUE_ITERATIONS } from '../tune/state';
import type { DecisionInput, DecisionRecord, RunModels, StallReason } from '../tune/types';
import { bestOnValidation } from './engine';
import { paretoFrontier } from './frontier';
import type {
  Budget,
  CandidateRef,
  DatasetSplit,
  OptimizeInput,
  OptimizeOutcome,
  OptimizerState,
  OptimizeStatus,
  Projection,
  Spend,
  StopReason,
} from './types';

/**
 * The optimize workflow's whole state around the engine's: what it prepared, the decisions, the outcome. Small and
 * serialisable, carried over continue-as-new as it is. Pure helpers here; the workflow only wires them.
 */
export interface OptimizeRunState {
  phase: string;
  models?: RunModels;
  original?: CandidateRef;
  split?: DatasetSplit;
  projection?: Projection;
  engine?: OptimizerState;
  stall?: { reason: StallReason; detail: string; since: string };
  decisions: DecisionRecord[];
  warnings: string[];
  outcome?: OptimizeOutcome;
  continuedAsNew: number;
  /** The engine's round when this workflow run began (runs continue as new every few dozen rounds). */
  firstRoundOfRun?: number;
}

export const initialOptimizeState = (): OptimizeRunState => ({
  phase: 'starting',
  decisions: [],
  warnings: [],
  continuedAsNew: 0,
});

/** A stop that asks a person first: converged below the threshold, or the error budget spent. */
export function stallFor(stop: StopReason, state: OptimizerState, threshold: number): string | undefined {
  const best = Math.round(bestOnValidation(state).interval.mean * 1000) / 10;
  if (stop === 'converged' && best < threshold)
    return `no accepted candidate in ${state.roundsWithoutAcceptance} rounds; the best validation score ${best} is below the threshold ${threshold}`;
  if (stop === 'error-budget') return `${state.consecutiveErrors} rounds in a row failed: the error budget is spent`;
  return undefined;
}

/** Why a decision cannot be taken now, or undefined. */
export function optimizeDecisionProblem(run: OptimizeRunState, d: DecisionInput): string | undefined {
  if (run.phase !== 'awaiting-decision') return `the run is not awaiting a decision (phase: ${run.phase})`;
  if (!['continue', 'accept', 'rollback', 'cancel'].includes(d.action))
    return `unknown action "${d.action}": use continue, accept, rollback or cancel`;
  if (!d.by || !d.by.trim()) return 'say who decides: --by <name>';
  if (d.action === 'continue') {
    const n = d.iterations ?? 0;
    if (!Number.isInteger(n) || n < 1 || n > MAX_CONTINUE_ITERATIONS)
      return `continue needs --iterations between 1 and ${MAX_CONTINUE_ITERATIONS}`;
  }
  if (d.note && d.note.length > 2000) return 'the note is over 2000 characters';
  // An unresolved recurring issue can stall a run that ended on its threshold or its budget: more rounds end at once.
  const stop = run.engine?.stop;
  if (
    d.action === 'continue' &&
    run.stall?.reason === 'unresolved-recurring' &&
    (stop === 'threshold-met' || stop === 'budget-spent')
  )
    return `continue cannot help: the run ended on ${stop}; use accept, rollback or cancel`;
  return undefined;
}

/**
 * Applies a decision (or its timeout) to the run; returns true when the rounds go on. `continue` grants more rounds
 * and a fresh patience and error budget; `accept` ends with the best on validation; `rollback` and `cancel` keep the
 * original.
 */
export function applyOptimizeDecision(run: OptimizeRunState, d: DecisionInput | undefined, decidedAt: string): boolean {
  const engine = run.engine!;
  const reason = run.stall?.reason ?? 'converged-below-threshold';
  run.stall = undefined;
  if (!d) {
    run.decisions.push({
      action: 'cancel',
      by: 'timeout',
      note: 'no decision in time',
      reason,
      decidedAt,
      timedOut: true,
    });
    engine.stop = 'decision-timeout';
    return false;
  }
  run.decisions.push({ ...d, reason, decidedAt });
  switch (d.action) {
    case 'continue':
      engine.maxRounds = engine.round + (d.iterations ?? 1);
      engine.roundsWithoutAcceptance = 0;
      engine.consecutiveErrors = 0;
      engine.stop = undefined;
      return true;
    case 'accept':
      engine.stop = 'accepted';
      return false;
    case 'rollback':
      engine.stop = 'rolled-back';
      return false;
    default:
      engine.stop = 'cancelled';
      return false;
  }
}

/**
 * Whether the run ends with the original: a rollback or a cancel, or no decision in time on an unresolved recurring
 * issue (reference 003 asks a person before anything is written; silence is no answer). A timeout on the other
 * stalls ends with the best accepted candidate.
 */
export function keepsOriginal(run: OptimizeRunState): boolean {
  const stop = run.engine?.stop;
  if (stop === 'rolled-back' || stop === 'cancelled') return true;
  const last = run.decisions[run.decisions.length - 1];
  return stop === 'decision-timeout' && last?.timedOut === true && last.reason === 'unresolved-recurring';
}

/** The status query's answer. */
export function toOptimizeStatus(input: OptimizeInput, run: OptimizeRunState): OptimizeStatus {
  const engine = run.engine;
  const best = engine ? bestOnValidation(engine) : undefined;
  return {
    runId: input.runId,
    target: input.target,
    dataset: input.dataset,
    ...(input.settings.folder !== undefined ? { folder: input.settings.folder } : {}),
    phase: run.phase,
    round: engine?.round ?? 0,
    maxRounds: engine?.maxRounds ?? input.settings.maxRounds,
    split: {
      train: run.split?.train.length ?? 0,
      validation: run.split?.validation.length ?? 0,
      test: run.split?.test.length ?? 0,
      heldOut: run.split?.heldOut ?? false,
    },
    frontier: engine
      ? paretoFrontier(engine.accepted).map((m) => ({ hash: m.candidate.ref.hash, bestOn: m.bestOn, mean: m.mean }))
      : [],
    best: best
      ? { hash: best.ref.hash, interval: best.interval }
      : { hash: run.original?.hash ?? '', interval: { mean: 0, low: 0, high: 0, n: 0 } },
    spent: engine?.spent ?? { calls: 0, usd: 0 },
    budget: input.settings.budget,
    projection: run.projection,
    proposals: engine?.proposals ?? 0,
    acceptances: engine?.acceptances ?? 0,
    evaluationFailures: engine?.evaluationFailures ?? 0,
    lastRejection: engine?.lastRejection,
    stop: engine?.stop,
    stall: run.stall,
    warnings: run.warnings,
    decisions: run.decisions,
    models: run.models,
    outcome: run.outcome,
  };
}

/**
 * What the end of the run will cost, held back from the rounds' budget so the run stops with enough left to score
 * the test split (the chosen and the original) and, for a skill, the no-skill baseline: priced per case at what the
 * original's validation cost.
 */
export function finishReserve(split: DatasetSplit, validationCost: Spend, skill: boolean): Spend {
  const cases = split.test.length > 0 ? split.test.length : skill ? split.validation.length : 0;
  const evaluations = skill ? 3 : 2;
  const per = split.validation.length ? 1 / split.validation.length : 0;
  return {
    calls: Math.ceil(validationCost.calls * per * cases * evaluations),
    usd: validationCost.usd * per * cases * evaluations,
  };
}

/** The engine's settings with the finish reserve taken off the budget. */
export function roundSettings<S extends { budget: Budget }>(settings: S, reserve: Spend): S {
  const { calls, usd } = settings.budget;
  return {
    ...settings,
    budget: {
      calls: calls === undefined ? undefined : Math.max(0, calls - reserve.calls),
      usd: usd === undefined ? undefined : Math.max(0, usd - reserve.usd),
    },
  };
}
