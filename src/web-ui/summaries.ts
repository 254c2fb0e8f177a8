import type { EvaluateRequest, ProposeRequest } from '../optimizer/types';
import type { ResolvedModel } from '../tune/types';
import { humanDuration } from './markdown';

/**
 * One-line summaries of activities and timers, as the Web UI shows them on each event of a run's history
 * ("judge candidate 3f2a9c1e on 40 validation cases", "bake 10 % for 1 h"). Pure: workflows import them.
 */

const short = (hash: string) => hash.slice(0, 8);
const m = (model: ResolvedModel) => `${model.provider}:${model.model}`;
const cases = (n: number) => `${n} case${n === 1 ? '' : 's'}`;

export function evaluateSummary(req: EvaluateRequest): string {
  const samples = req.samples > 1 ? ` × ${req.samples} samples` : '';
  const what =
    req.purpose === 'no-skill'
      ? 'judge the cases without the skill'
      : `judge ${req.purpose === 'baseline' ? 'the original' : 'candidate'} ${short(req.candidate.hash)}`;
  const on = req.purpose === 'no-skill' || req.purpose === 'baseline' ? '' : `${req.purpose} `;
  return `${what} on ${req.caseIds.length} ${on}${req.caseIds.length === 1 ? 'case' : 'cases'}${samples}`;
}

export function proposeSummary(req: ProposeRequest): string {
  return `propose candidate ${req.slot + 1} of round ${req.round} from ${short(req.parent.hash)}, learning from ${cases(req.minibatch.length)}`;
}

export const tuneSummaries = {
  execute: (iteration: number, executor: ResolvedModel, skills: number) =>
    `execute iteration ${iteration} (${skills} skill${skills === 1 ? '' : 's'}) with ${m(executor)}`,
  evaluate: (iteration: number, judge: ResolvedModel) => `judge iteration ${iteration} with ${m(judge)}`,
  improve: (iteration: number, skill: string, improver: ResolvedModel) =>
    `improve ${skill} after iteration ${iteration} with ${m(improver)}`,
};

/** The timer of a run waiting for a person: how long at most, and which signal ends it. */
export function waitForPersonSummary(what: string, signal: string, timeoutMs: number): string {
  return `wait up to ${humanDuration(timeoutMs)} for ${what} (signal ${signal})`;
}

/** One bake interval of a canary step, between two looks of the guard. */
export function bakeSummary(percent: number, ms: number, step: number): string {
  return `bake ${percent} % for ${humanDuration(ms)} (step ${step}), then the guard looks`;
}

export function guardSummary(percent: number, candidate: number, control: number | undefined): string {
  return `guard look at ${percent} %: live signals of v${candidate} against v${control ?? '?'}`;
}

export function abWaitSummary(ms: number, look: number): string {
  return `A/B test: wait ${humanDuration(ms)} before look ${look}`;
}

export function evalChunkSummary(
  chunk: number,
  chunks: number,
  runId: string,
  how: 'per call' | 'from its batch',
): string {
  return `evaluate chunk ${chunk + 1} of ${chunks} of eval run ${runId} ${how}`;
}

export const optimizeSummaries = {
  prepare: (dataset: { name: string; version: number }, seed: number) =>
    `read dataset ${dataset.name}@${dataset.version}, split it (seed ${seed}) and project the cost`,
  finish: (dryRun: boolean) =>
    dryRun ? 'store the report (dry run: no version)' : 'store the chosen version, its evidence and the report',
};
