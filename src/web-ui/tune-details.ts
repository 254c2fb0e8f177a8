import type { TuneInput, TuneState } from '../tune/types';
import { humanDuration } from './markdown';
import { decideChoices, runDetails } from './run-details';

const score = (n: number) => String(Math.round(n * 10) / 10);

/** The tune loop's current details: iteration, score trail, spend, and the `decide` signal when it stalls. */
export function tuneDetails(input: TuneInput, state: TuneState, workflowId: string): string {
  const scores = state.iterations.map((i) => (i.score === null ? '—' : score(i.score)));
  const tokens = state.iterations.reduce((n, i) => n + i.tokens, 0);
  const usd = state.iterations.reduce((n, i) => n + i.costUsd, 0);
  return runDetails({
    title: `**Tune** ${input.skills.map((s) => `\`${s.name}\``).join(' + ')}`,
    phase: state.phase,
    step: `iteration ${state.iteration} of ${state.maxIterations}`,
    scores: `${scores.join(' → ') || 'none yet'} (threshold ${input.settings.threshold})`,
    budget: `${tokens} tokens, $${usd.toFixed(4)}`,
    notes: [
      ...(state.warnings.length ? [`${state.warnings.length} warning(s): see \`refinery status ${workflowId}\``] : []),
      ...(state.termination ? [`Ended: ${state.termination}`] : []),
    ],
    waiting: state.stall && {
      waitsFor: `${state.stall.detail} (since ${state.stall.since}; it waits up to ${humanDuration(input.settings.decisionTimeoutMs)}, then cancels).`,
      choices: decideChoices(),
      cli: `refinery decide ${workflowId} --action continue|accept|rollback|cancel [--iterations N] --by <you>`,
    },
  });
}
