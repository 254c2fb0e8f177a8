/** Types shared by the tune workflow, its activities and the CLI. Only ids, hashes, scores and short
 * labels: bodies and model outputs stay in the store and travel by reference. */

export const DIMENSIONS = ['clarity', 'completeness', 'correctness', 'effectiveness', 'efficiency'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type DimensionScores = Record<Dimension, number>;

/** provider:model, e.g. anthropic:claude-sonnet-4-6; `auto` and `default` are resolved by the worker,
 * which alone knows which API keys it holds. */
export interface ModelChoice {
  provider: 'auto' | 'anthropic' | 'gemini' | 'openai' | 'offline';
  model: string;
}

/** A choice as the worker resolved it: a concrete provider and model. */
export interface ResolvedModel {
  provider: 'anthropic' | 'gemini' | 'openai' | 'offline';
  model: string;
}

/** The models one tune run uses, resolved once at its start so every iteration is scored by the same judge. */
export interface RunModels {
  executor: ResolvedModel;
  judge: ResolvedModel;
  improver: ResolvedModel;
  /** Set when the judge and the executor come from one model family (it says why and how to avoid it). */
  sameFamilyWarning?: string;
}

/** The judge failed for good on one judged case (after its retries): the case scored 0, the run went on. */
export interface JudgeFailure {
  /** The judged case: in a tune run, the scenario (with every skill's artifact). */
  case: string;
  reason: string;
}

export interface TuneSkillRef {
  /** Library name of the skill (its folder name unless given). */
  name: string;
  /**
   * The skill folder on the machine that started the run, where the client that waits writes the outcome.
   * Only a label for the worker, which never reads or writes it. Absent when no folder exists (a calendar
   * regression tune): the owner applies the outcome with `refinery outcome <id> --write --dir <folder>`.
   */
  dir?: string;
  /** Version hash of the content the run started from. */
  originalHash: string;
}

export interface TuneSettings {
  threshold: number;
  maxIterations: number;
  /** Consecutive failed iterations that spend the error budget. */
  maxConsecutiveErrors: number;
  chain: boolean;
  /** How skills run: `agent` (progressive disclosure, the default when absent) or `inline` (every file pasted). */
  execution?: 'inline' | 'agent';
  dryRun: boolean;
  executor: ModelChoice;
  judge: ModelChoice;
  improver: ModelChoice;
  /** How long a stalled run waits for a decision, in ms. */
  decisionTimeoutMs: number;
  /**
   * Where the client that waits writes the report: <outputDir>/docs/feedbacks/cycle-YYYY-MM-DD/<skill>.md, on
   * the machine that started the run. Absent: the report stays in the store only.
   */
  outputDir?: string;
}

export interface TuneInput {
  runId: string;
  skills: TuneSkillRef[];
  /** Blob hash of the scenario text. */
  scenarioRef: string;
  /** Blob hash of the golden cases (JSON array), when given. */
  goldenRef?: string;
  settings: TuneSettings;
  startedBy: string;
}

export type Phase =
  | 'starting'
  | 'snapshot'
  | 'execute'
  | 'evaluate'
  | 'improve'
  | 'awaiting-decision'
  | 'reporting'
  | 'writing-back'
  | 'completed'
  | 'cancelled';

export interface Weakness {
  category: string;
  severity?: 'low' | 'medium' | 'high';
}

export interface SkillScore {
  skill: string;
  score: number;
}

export interface IterationRecord {
  iteration: number;
  /** Version hash per skill that this iteration executed (its snapshot). */
  snapshot: Record<string, string>;
  /** Null when execution failed and nothing was evaluated. */
  score: number | null;
  dimensions: DimensionScores;
  perSkill: SkillScore[];
  weaknessCategories: string[];
  /** Golden assertions; `errored` of the failed ones could not be checked at all. */
  assertions?: { passed: number; total: number; errored?: number };
  /** The first few assertion errors, as `case N: …` lines. */
  assertionErrors?: string[];
  /** The judge failed after its retries: the judged case scored 0 and the iteration chooses nothing. */
  judgeFailure?: JudgeFailure;
  /** Anything that failed this iteration (execute, evaluate, improve), for the error budget. */
  errors: string[];
  improvement?: { status: 'applied' | 'rolled-back' | 'skipped'; skill?: string; newHash?: string; reason?: string };
  /** Agent execution: the files each skill's executor read on the scenario, besides SKILL.md. */
  filesRead?: Record<string, string[]>;
  tokens: number;
  costUsd: number;
}

export type DecisionAction = 'continue' | 'accept' | 'rollback' | 'cancel';

export interface DecisionInput {
  action: DecisionAction;
  /** With continue: how many more iterations. */
  iterations?: number;
  by: string;
  note?: string;
  /** true when `by` is an API token's subject; false when it came as a signal (see src/user-identity.ts). */
  authenticated?: boolean;
}

export type StallReason = 'recurring-weakness' | 'converged-below-threshold' | 'error-budget' | 'unresolved-recurring';

export interface DecisionRecord extends DecisionInput {
  reason: StallReason;
  decidedAt: string;
  timedOut?: boolean;
}

export type TerminationReason =
  | 'threshold-met'
  | 'max-iterations'
  | 'converged'
  | 'error-budget'
  | 'accepted'
  | 'rolled-back'
  | 'cancelled'
  | 'decision-timeout';

/** The whole workflow state: small, serialisable, carried over continue-as-new as it is. */
export interface TuneState {
  phase: Phase;
  iteration: number;
  maxIterations: number;
  /** Current working version hash per skill. */
  current: Record<string, string>;
  iterations: IterationRecord[];
  consecutiveErrors: number;
  decisions: DecisionRecord[];
  stall?: { reason: StallReason; detail: string; since: string };
  /** Weakness categories already escalated by a decision, so one stall is not raised twice. */
  acknowledgedCategories: string[];
  /** Recurring classification of this run's weaknesses against earlier runs, once computed. */
  recurring?: RecurringFinding[];
  termination?: TerminationReason;
  outcome?: TuneOutcome;
  warnings: string[];
  continuedAsNew: number;
  /** Scores before this index are outside the convergence window (a `continue` decision restarts it). */
  windowStart: number;
  /** Weakness categories this run saw, per skill (for recurring issues across runs). */
  runWeaknesses: Record<string, string[]>;
  /** Set once the cross-run recurring check has run, so a resumed run does not ask twice. */
  recurringChecked: boolean;
  /** The run's models as the worker resolved them at the start (absent until then). */
  models?: RunModels;
}

export interface RecurringFinding {
  skill: string;
  category: string;
  occurrence: number;
  classification: 'RECURRING' | 'UNRESOLVED';
}

export interface TuneOutcome {
  bestIteration: number;
  bestScore: number;
  /** Per skill: the version chosen as the outcome (best, or original on rollback/timeout). */
  chosen: Record<string, string>;
  /**
   * The folders to receive the chosen version, one per skill whose version changed: empty on a dry run, a
   * rollback, a cancel or a decision timeout. The worker writes no file; the client that waits
   * (`refinery tune --wait`, `refinery outcome <id> --write`) does, refusing a folder edited meanwhile.
   */
  writeBack: WriteBackPlan[];
  /** Kept as a candidate when not written back (decision timeout). */
  candidate?: Record<string, string>;
  /** Blob hash of the markdown report. */
  reportRef: string;
  /** Where the client writes the report (paths on the machine that started the run); empty without outputDir. */
  reportPaths: string[];
  /** Blob hashes of the outcome's unified diff, one per changed skill. */
  diffRefs: string[];
  assertiveness: number;
}

export interface WriteBackPlan {
  skill: string;
  /** The folder as the run was started with it; absent when the run has none. */
  dir?: string;
  fromHash: string;
  toHash: string;
  versionNo?: number;
}

export interface TuneStatus {
  runId: string;
  skills: string[];
  phase: Phase;
  iteration: number;
  maxIterations: number;
  threshold: number;
  scores: number[];
  bestScore?: number;
  stall?: TuneState['stall'];
  termination?: TerminationReason;
  warnings: string[];
  decisions: DecisionRecord[];
  outcome?: TuneOutcome;
  /** Iterations whose judge failed after its retries (each scored as failed). */
  judgeFailures: number;
  /** Golden assertions that could not be checked (each scored as failed). */
  assertionErrors: number;
  models?: RunModels;
}
