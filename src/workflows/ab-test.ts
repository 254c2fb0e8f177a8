import { proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { AbInput, AbStatus } from '../rollout/ab-types';
import { abStatusQuery } from '../shared';

type Activities = ReturnType<typeof createActivities>;
const acts = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute' });
const reads = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes' });

/** An A/B test: units split by sticky hash between two versions until both have enough samples. */
export async function abTestWorkflow(input: AbInput): Promise<AbStatus> {
  const status: AbStatus = { abId: input.abId, phase: 'running', samples: { a: 0, b: 0 } };
  setHandler(abStatusQuery, () => status);
  const row = (percent: number, state: string) => ({
    rolloutId: input.abId,
    name: input.name,
    kind: 'ab' as const,
    controlVersion: input.variants[0],
    candidateVersion: input.variants[1],
    percent,
    salt: input.abId,
    status: state,
    step: 1,
  });
  const { since } = await acts.abStart({ name: input.name, variants: input.variants });
  await acts.setRolloutShare(row(input.split[1], 'running'));
  let waited = 0;
  while (waited < input.maxDurationMs) {
    await sleep(input.checkIntervalMs);
    waited += input.checkIntervalMs;
    const r = await reads.abCheck({
      abId: input.abId,
      name: input.name,
      variants: input.variants,
      metric: input.metric,
      since,
      minSamples: input.minSamples,
    });
    status.samples = r.samples;
    if (r.verdict) {
      status.verdict = r.verdict;
      status.phase = 'decided';
      break;
    }
  }
  if (!status.verdict) status.phase = 'inconclusive';
  // Everyone back to production once the test has its answer.
  await acts.setRolloutShare(row(0, status.phase === 'decided' ? 'completed' : 'inconclusive'));
  return status;
}
