/**
 * Inputs and outputs of the optimizer's activities (src/activities/optimize/), fixed here so the workflow, the
 * activities and their tests agree. Only ids, hashes and numbers travel: contents and outputs stay in the store.
 */
import type { DecisionRecord, ResolvedModel, RunModels } from '../tune/types';
import type {
  Budget,
  CandidateRef,
  DatasetSplit,
  EvaluateRequest,
  LineageEntry,
  OptimizeInput,
  OptimizeOutcome,
  OptimizerState,
  Projection,
  ProposeRequest,
} from './types';

/** The models and output cap every evaluation of one run uses (they are part of a stored result's key). */
export interface EvalModels {
  executor: ResolvedModel;
  judge: ResolvedModel;
  maxOutputTokens: number;
  /** How a skill candidate runs (absent: agent execution, the default for skills). */
  execution?: 'inline' | 'agent';
}

/** evaluateCandidate: the engine's evaluate, through the eval engine's case runner; stored results are reused. */
export interface EvaluateCandidateInput extends EvaluateRequest {
  runId: string;
  /** The library item being tuned: a skill's agent runs record their file reads under it. */
  itemName?: string;
  dataset: { name: string; version: number };
  models: EvalModels;
}

/** proposeCandidate: the engine's propose; one improver call per (runId, round, slot), never paid twice. */
export interface ProposeCandidateInput extends ProposeRequest {
  runId: string;
  dataset: { name: string; version: number };
  models: EvalModels & { improver: ResolvedModel };
  changeBudget: { lines: number; bytes: number };
  reflectionTokens: number;
}

/** One evaluated training case as the improver sees it (read back from the stored results). */
export interface CaseEvidence {
  caseId: string;
  vars: Record<string, unknown>;
  output: string;
  expected?: string;
  /** Mean over samples, 0..1. */
  score: number;
  passed: boolean;
  /** Every assertion's result; a rubric's reason is the judge's reasoning. */
  assertions: { type: string; pass: boolean; score?: number; reason?: string }[];
  error?: string;
}

/** prepareOptimizeRun: the original as a candidate, the split, and the projection (before anything is spent). */
export interface PrepareOptimizeInput {
  runId: string;
  workflowId: string;
  input: OptimizeInput;
  models: EvalModels & { improver: ResolvedModel };
}
export interface PrepareOptimizeResult {
  original: CandidateRef;
  split: DatasetSplit;
  projection: Projection;
}

/** finishOptimizeRun: the chosen candidate becomes a version labelled `candidate`, the report is stored. */
export interface FinishOptimizeInput {
  runId: string;
  input: OptimizeInput;
  state: OptimizerState;
  split: DatasetSplit;
  chosen: CandidateRef;
  original: CandidateRef;
  test?: OptimizeOutcome['test'];
  baselineDelta?: OptimizeOutcome['baselineDelta'];
  projection: Projection;
  budget: Budget;
  warnings: string[];
  lineage: LineageEntry[];
  /** The models as the worker resolved them, for the report (else the settings' choices are shown). */
  models?: RunModels;
  /** Human decisions taken during the run, for the report. */
  decisions?: DecisionRecord[];
}
