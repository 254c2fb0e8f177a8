import type { DimensionScores, JudgeFailure, ModelChoice, SkillScore } from './types';

/** Inputs and outputs of the tune activities: ids, hashes and scores only. */

export interface SkillAtVersion {
  name: string;
  hash: string;
}

export interface ExecuteInput {
  runId: string;
  iteration: number;
  skills: SkillAtVersion[];
  scenarioRef: string;
  goldenRef?: string;
  chain: boolean;
  executor: ModelChoice;
  /** How each skill runs; absent means agent execution (the default for skills). */
  execution?: 'inline' | 'agent';
}
export interface ExecuteResult {
  /** Artifact blob hash per skill. */
  artifacts: Record<string, string>;
  /** Blob hash of the golden-case outputs (JSON string array), when the run has golden cases. */
  goldenOutputsRef?: string;
  tokens: number;
  costUsd: number;
  /** Agent execution: the files each skill's executor read on the scenario (SKILL.md aside). */
  filesRead?: Record<string, string[]>;
}

export interface EvaluateInput {
  runId: string;
  iteration: number;
  skills: SkillAtVersion[];
  artifacts: Record<string, string>;
  scenarioRef: string;
  goldenRef?: string;
  goldenOutputsRef?: string;
  judge: ModelChoice;
  /** Set with agent execution: the judge sees SKILL.md and these files per skill, not the whole folder. */
  filesRead?: Record<string, string[]>;
}
export interface EvaluateResult {
  score: number;
  dimensions: DimensionScores;
  perSkill: SkillScore[];
  weaknessBySkill: Record<string, string[]>;
  /** Blob hash of the judge's full output (or raw text) and the assertion results. */
  evaluationRef: string;
  assertions?: { passed: number; total: number; errored?: number };
  /** The first few golden assertions that could not be checked (each counted as failed). */
  assertionErrors?: string[];
  /** Set when the output was not valid JSON and the score was extracted heuristically. */
  parseWarning?: string;
  /** Set when the judge failed for good: the judged case scored 0. */
  judgeFailure?: JudgeFailure;
  tokens: number;
  costUsd: number;
}

export interface ImproveInput {
  runId: string;
  iteration: number;
  skill: SkillAtVersion;
  evaluationRef: string;
  improver: ModelChoice;
}
export interface ImproveResult {
  newHash: string;
  versionNo: number;
  rationale: string;
  changedFiles: string[];
  tokens: number;
  costUsd: number;
}

export interface OutcomeDiffInput {
  runId: string;
  skill: string;
  fromHash: string;
  toHash: string;
}
export interface OutcomeDiffResult {
  /** Blob hash of the unified diff; absent when the versions are equal. */
  diffRef?: string;
  versionNo?: number;
}
