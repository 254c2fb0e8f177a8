import type { AbInput, AbStatus } from '../rollout/ab-types';
import { humanDuration } from './markdown';
import { runDetails, YOUR_NAME } from './run-details';

/** The A/B test's current details: samples against the minimum, time against the maximum, the verdict, `stop`. */
export function abDetails(input: AbInput, status: AbStatus): string {
  const [a, b] = input.variants;
  const v = status.verdict;
  return runDetails({
    title: `**A/B test** of \`${input.name}\`: v${a} against v${b} on ${input.metric}`,
    phase: status.phase,
    step: `${status.looks} looks, ${humanDuration(status.waitedMs)} of at most ${humanDuration(input.maxDurationMs)}`,
    scores: v
      ? `${v.decision}: effect ${v.effect} (95 % CI ${v.ci95[0]} to ${v.ci95[1]})`
      : `no verdict yet: samples v${a} ${status.samples.a}, v${b} ${status.samples.b} (needs ${input.minSamples} each)`,
    notes: status.stoppedBy
      ? [`Stopped by ${status.stoppedBy}${status.stopReason ? `: ${status.stopReason}` : ''}`]
      : [],
    controls:
      status.phase === 'running'
        ? [
            {
              what: 'stop it now (the split goes back to 0 %)',
              signal: 'stop',
              payload: { by: YOUR_NAME, reason: 'why' },
            },
          ]
        : [],
  });
}
