import type { DatasetCase } from './datasets/case';
import type { GateVerdict } from './gate';
import type { TriggerMetrics } from '../skills/trigger';

/** A golden case as stored: exactly what the dataset importers produce. */
export type EvalCase = DatasetCase;

export interface EvalSettings {
  /** provider:model of the model under test, and of the rubric judge. */
  provider: 'auto' | 'anthropic' | 'gemini' | 'openai' | 'offline';
  model: string;
  judgeProvider: 'auto' | 'anthropic' | 'gemini' | 'openai' | 'offline';
  judgeModel: string;
  concurrency: number;
  repeat: number;
  noCache: boolean;
  maxCostUsd?: number;
  maxOutputTokens: number;
  chunkSize: number;
  /**
   * Chunk activities in flight at once, at least; more when the chunks behind the running one must hold work for
   * every `concurrency` slot (see chunkLanes). They share the worker's limiter of `concurrency` slots.
   */
  parallelChunks: number;
  passRateThreshold: number;
  /**
   * Send the model-under-test calls through the provider's batch API (Anthropic, Gemini): one batch per chunk,
   * half the price, answers within hours instead of seconds. Off (undefined) by default; the offline provider
   * ignores it. Judge calls and failed batch items still go one call at a time.
   */
  batch?: boolean;
  /**
   * How a skill runs: `agent` (absent: the default) gives the model SKILL.md and tools to read the other files, and
   * the rubric judge sees only what it read; `inline` pastes every file into one prompt. Prompts, the no-skill
   * baseline and batch mode always run inline.
   */
  execution?: 'inline' | 'agent';
}

export interface EvalRunInput {
  runId: string;
  target: { name: string; version: number };
  dataset: { name: string; version: number };
  settings: EvalSettings;
}

export interface ChunkResult {
  evaluated: number;
  skipped: number;
  fromCache: number;
  costUsd: number;
  budgetExhausted: boolean;
  /** Batch mode: samples whose output came from the chunk's batch, and those that fell back to a single call. */
  fromBatch?: number;
  batchFallbacks?: number;
}

export interface EvalSummary {
  runId: string;
  status: 'completed' | 'budget-stopped';
  cases: number;
  evaluated: number;
  passed: number;
  failed: number;
  errors: number;
  passRate: number;
  perAssertion: { type: string; passed: number; failed: number }[];
  judge?: { mean: number; spread: number; samples: number };
  /** Trigger cases: precision and recall of loading the skill, over every run (sample) of every query. */
  trigger?: TriggerMetrics;
  tokens: { input: number; output: number };
  costUsd: number;
  estimate: { calls: number; costUsd: number };
  latencyMs: { p50: number; p95: number; p99: number };
  fromCache: number;
  gate?: GateVerdict & { baselineRunId?: string };
  reportRef?: string;
}
