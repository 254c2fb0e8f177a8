/**
 * The optimizer's contract: what the pure engine (src/optimizer/engine.ts), the workflow that drives it with
 * activities (src/workflows/optimize.ts), and the simulated task world of the benchmark (bench/optimizer.ts) share.
 * Only ids, hashes, numbers and short text: contents and model outputs stay in the store and travel by reference.
 */
import type { AcceptanceEvidence } from './evidence';
import type { DecisionRecord, ModelChoice, RecurringFinding, RunModels } from '../tune/types';

/** Calls (executor, judge and improver together) and dollars actually paid: a stored result costs nothing. */
export interface Spend {
  calls: number;
  usd: number;
}

export interface Budget {
  /** --budget-calls: executor, judge and improver calls together. */
  calls?: number;
  /** --budget-usd. */
  usd?: number;
}

/** A candidate version: its content hash (its identity) and the blob that holds its content. */
export interface CandidateRef {
  hash: string;
  ref: string;
}

export type EvaluationPurpose = 'baseline' | 'minibatch' | 'validation' | 'test' | 'no-skill';

export interface EvaluateRequest {
  candidate: CandidateRef;
  caseIds: string[];
  /** Samples per judge-graded case (cases checked by assertions alone take one). */
  samples: number;
  purpose: EvaluationPurpose;
}

export interface EvaluateResponse {
  /** Per case: the mean score over its samples, 0..1 (a failed judge or assertion scores 0). */
  scores: Record<string, number>;
  /** Per case: every sample passed. */
  passed: Record<string, boolean>;
  spent: Spend;
  /** Input plus output tokens of the outputs (paid or stored), for the skill baseline delta. */
  tokens: number;
  /** Judge or assertion failures, each scored as a failed case (recorded, never failing the run). */
  failures: number;
}

/** One proposal's history as the improver and the status see it. */
export interface LineageEntry {
  hash: string;
  parent: string;
  round: number;
  status: 'accepted' | 'rejected';
  /** Why: "lost the minibatch 2.0 vs 3.0", "p = 0.21 ≥ 0.05 on validation", "drops {{name}}". */
  reason: string;
  /** The improver's own one-line summary of the change. */
  summary: string;
  minibatch?: { child: number; parent: number };
  test?: PairedTest;
}

export interface ProposeRequest {
  parent: CandidateRef;
  /** Training cases the parent was just evaluated on (its failures among them are shown to the improver). */
  minibatch: string[];
  round: number;
  /** Which of the round's parallel proposals (keys the activity: one proposal per (run, round, slot)). */
  slot: number;
  /** Earlier attempts, rejected ones with their reason (newest last, bounded). */
  lineage: LineageEntry[];
}

export type ProposeResponse =
  | { child: CandidateRef; summary: string; spent: Spend }
  /** Refused before any evaluation: over the change budget, a dropped {{variable}}, no edit, an unusable answer. */
  | {
      refused: string;
      spent: Spend;
      /** The improver's own summary of the refused change, when it gave one (for the lineage). */
      summary?: string;
    };

/** What the engine needs from the world: the workflow gives it activities, the benchmark a simulation. */
export interface OptimizerOps {
  evaluate(req: EvaluateRequest): Promise<EvaluateResponse>;
  propose(req: ProposeRequest): Promise<ProposeResponse>;
  /** An error the engine must not absorb as a failed proposal (the workflow's cancellation). */
  isCancellation?(err: unknown): boolean;
}

export interface DatasetSplit {
  train: string[];
  validation: string[];
  test: string[];
  /** False when the dataset was below minCasesForSplit: train and validation are every case, test is empty. */
  heldOut: boolean;
  seed: number;
}

export interface SplitSettings {
  seed: number;
  /** Share of the cases held out for validation (acceptance and selection). */
  validationShare: number;
  /** Share held out for the final test (0: none). Scored once at the end, never used to choose. */
  testShare: number;
  /** Below this many cases no split is made ("no held-out evidence"). */
  minCasesForSplit: number;
  /** Below this many cases the test share is 0 (too few to hold out twice); absent: testShare always applies. */
  minCasesForTest?: number;
}

/** One-sided paired test of child > parent over validation cases. */
export interface PairedTest {
  name: 'paired sign-flip permutation';
  n: number;
  meanDiff: number;
  pValue: number;
  wins: number;
  losses: number;
  ties: number;
}

/** A mean with its 95 % interval. */
export interface ScoreInterval {
  mean: number;
  low: number;
  high: number;
  n: number;
}

export interface OptimizerSettings {
  seed: number;
  /** Training cases per minibatch (screening and reflection). */
  minibatchSize: number;
  /** Samples per judge-graded case on validation (--repeat). */
  repeat: number;
  /** Significance of the paired test on validation. */
  alpha: number;
  /** Children proposed in parallel per round, when the budget allows. */
  parallel: number;
  /** Rounds at most (--max-iterations). */
  maxRounds: number;
  /** Validation mean (0..100) that ends the run (--threshold). */
  threshold: number;
  /** Rounds in a row with no acceptance that end the run as converged. */
  patience: number;
  budget: Budget;
}

/** An accepted candidate (the original is the first) with its validation evidence. */
export interface AcceptedCandidate {
  ref: CandidateRef;
  parent?: string;
  round: number;
  summary: string;
  /** Per validation case, mean score 0..1. */
  validation: Record<string, number>;
  interval: ScoreInterval;
  test?: PairedTest;
}

export type StopReason =
  | 'threshold-met'
  | 'max-iterations'
  | 'converged'
  | 'budget-spent'
  | 'error-budget'
  | 'accepted'
  | 'cancelled'
  | 'rolled-back'
  | 'decision-timeout';

/** The engine's whole state: serialisable, carried over continue-as-new as it is. */
export interface OptimizerState {
  round: number;
  accepted: AcceptedCandidate[];
  /** Newest last, the last LINEAGE_KEPT entries (older ones are in the store). */
  lineage: LineageEntry[];
  lineageCount: number;
  proposals: number;
  acceptances: number;
  spent: Spend;
  /** Judge or assertion failures in every evaluation so far, each scored as a failed case. */
  evaluationFailures: number;
  roundsWithoutAcceptance: number;
  consecutiveErrors: number;
  lastRejection?: { hash: string; round: number; reason: string };
  stop?: StopReason;
  /** What one validation with every sample would cost, priced from the original's first sample of each case (an
   * upper estimate: the engine buys extra samples only where verdicts disagree); the end of the run holds back
   * the test split's share of it. */
  validationCost: Spend;
  /** Rounds the run may go to (maxRounds, raised by a `continue` decision). */
  maxRounds: number;
}

// ---- the workflow ----------------------------------------------------------------------------------------

export interface OptimizeInput {
  runId: string;
  target: { name: string; version: number; kind: 'text' | 'chat' | 'skill' };
  dataset: { name: string; version: number };
  split: SplitSettings;
  settings: OptimizerSettings & {
    executor: ModelChoice;
    judge: ModelChoice;
    improver: ModelChoice;
    /** How a skill runs while it is evaluated: agent (absent: the default) or inline. */
    execution?: 'inline' | 'agent';
    /** Per proposal: lines changed (added + removed) at most, and bytes changed at most. */
    changeBudget: { lines: number; bytes: number };
    /** Tokens the reflection prompt may hold (failures and lineage are cut to fit). */
    reflectionTokens: number;
    decisionTimeoutMs: number;
    dryRun: boolean;
    /** Hand the chosen candidate to the guarded rollout. */
    thenRollout: boolean;
    /** Where the client that waits writes the report: <outputDir>/docs/feedbacks/cycle-YYYY-MM-DD/<name>.md. */
    outputDir?: string;
    /** The folder form: where the client that waits writes the chosen version back. */
    folder?: string;
    /** Rounds per workflow run before it continues as new (default 50; tests make it small). */
    roundsPerRun?: number;
  };
  startedBy: string;
}

export interface OptimizeOutcome {
  chosen: CandidateRef;
  original: CandidateRef;
  /** The library version the chosen candidate became (absent: the original won, or a dry run). */
  version?: number;
  validation: { chosen: ScoreInterval; original: ScoreInterval };
  test?: { chosen: ScoreInterval; original: ScoreInterval };
  /** Skills: without the skill and with the original, pass rate and tokens (skill-creator's delta). */
  baselineDelta?: {
    withSkill: { passRate: number; tokens: number };
    withoutSkill: { passRate: number; tokens: number };
    original: { passRate: number; tokens: number };
  };
  reportRef: string;
  reportPaths: string[];
  diffRef?: string;
  /** Reference 003's assertiveness score, as the tune loop computes it (rounds for iterations). */
  assertiveness?: number;
  /** Validation cases the chosen still fails that earlier runs of the item failed too (RECURRING, UNRESOLVED). */
  recurring?: RecurringFinding[];
  rollout?: { workflowId: string };
}

export interface OptimizeStatus {
  runId: string;
  target: OptimizeInput['target'];
  dataset: OptimizeInput['dataset'];
  /** The folder form: the skill folder the client that waits (or `refinery outcome --write`) writes the pick into. */
  folder?: string;
  phase: string;
  round: number;
  maxRounds: number;
  split: { train: number; validation: number; test: number; heldOut: boolean };
  /** Hashes (short) of the frontier's candidates with how many validation cases each is best on. */
  frontier: { hash: string; bestOn: number; mean: number }[];
  best: { hash: string; interval: ScoreInterval };
  spent: Spend;
  budget: Budget;
  projection?: Projection;
  proposals: number;
  acceptances: number;
  /** Judge or assertion failures so far, each scored as a failed case (the run went on). */
  evaluationFailures: number;
  lastRejection?: OptimizerState['lastRejection'];
  stop?: StopReason;
  stall?: { reason: string; detail: string; since: string };
  warnings: string[];
  decisions: DecisionRecord[];
  models?: RunModels;
  outcome?: OptimizeOutcome;
}

/** What a run will cost, printed before anything is spent. */
export interface Projection {
  calls: number;
  usd: number;
  perRound: Spend;
  baselineAndOneValidation: Spend;
  /** Set when the budget cannot cover the baseline plus one full validation of a candidate. */
  warning?: string;
  /** How many validation cases a change must win to be accepted, with a warning when only large ones can be. */
  evidence?: AcceptanceEvidence;
}
