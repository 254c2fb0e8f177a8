import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { abBoundsProblem, abShouldContinueAsNew, abStopProblem } from '../rollout/ab-plan';
import type { AbInput, AbStatus, AbStopInput } from '../rollout/ab-types';
import { abStatusQuery, abStopSignal, abStopUpdate } from '../shared';
import { abDetails } from '../web-ui/ab-details';
import { abWaitSummary } from '../web-ui/summaries';

type Activities = ReturnType<typeof createActivities>;
const acts = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { nonRetryableErrorTypes: ['RolloutRefused', 'ExperimentRunning'] },
});
// A look is one short aggregate read: as a local activity it runs inside the workflow task, which
// halves a look's history events and round trips (20,160 looks in a 14-day test at 1 minute).
const reads = proxyLocalActivities<Activities>({ startToCloseTimeout: '2 minutes' });

/** Starts the split; a refusal (variants missing, another experiment running) fails the test with its reason. */
async function start(row: Parameters<Activities['abStart']>[0]['row']): Promise<string> {
  try {
    return (await acts.abStart({ row })).since;
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)
      throw ApplicationFailure.create({
        type: err.cause.type ?? undefined,
        message: err.cause.message,
        nonRetryable: true,
      });
    throw err;
  }
}

const ENDED_STATUS = { decided: 'completed', inconclusive: 'inconclusive', stopped: 'stopped' } as const;

/**
 * An A/B test: units split by sticky hash between two versions until both have enough samples, the
 * maximum duration passes, or someone stops it. The look loop continues as new every few hundred looks.
 */
export async function abTestWorkflow(input: AbInput): Promise<AbStatus> {
  const carried = input.carried;
  // The CLI checks the same bounds; a start from elsewhere (a client, the Web UI) is held to them here.
  const bounds = abBoundsProblem(input);
  if (bounds) throw ApplicationFailure.create({ type: 'BadInput', message: bounds, nonRetryable: true });
  const status: AbStatus = {
    abId: input.abId,
    phase: 'running',
    samples: carried?.samples ?? { a: 0, b: 0 },
    waitedMs: carried?.waitedMs ?? 0,
    looks: carried?.looks ?? 0,
  };
  let stop: AbStopInput | undefined;
  setHandler(abStatusQuery, () => status);
  // An update for the CLI (it learns at once whether the stop was accepted), a signal of the same shape
  // for the Web UI (which cannot send updates). Both only record the request: the loop carries it out.
  setHandler(abStopUpdate, (s) => ((stop = s), `stop of ${input.abId} recorded: the split goes back to 0 %`), {
    validator: (s: AbStopInput) => {
      const problem = abStopProblem(status, s, stop);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(abStopSignal, (s) => {
    const problem = abStopProblem(status, s, stop);
    if (problem) log.warn('stop signal ignored', { problem });
    else stop = s;
  });

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
  // Only the first run starts the split; a continued run picks up its clock and counts.
  const since = carried ? carried.since : await start(row(input.split[1], 'running'));

  let looksThisRun = 0;
  while (status.waitedMs < input.maxDurationMs && !stop) {
    const interval = Math.min(input.checkIntervalMs, input.maxDurationMs - status.waitedMs);
    setCurrentDetails(abDetails(input, status));
    if (await condition(() => stop !== undefined, interval, { summary: abWaitSummary(interval, status.looks + 1) }))
      break;
    status.waitedMs += interval;
    status.looks++;
    looksThisRun++;
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
      break;
    }
    if (
      status.waitedMs < input.maxDurationMs &&
      abShouldContinueAsNew(looksThisRun, workflowInfo().continueAsNewSuggested)
    ) {
      // Handlers only record a stop, so they finish at once; a stop that came meanwhile is honoured here.
      await condition(allHandlersFinished);
      if (stop) break;
      return continueAsNew<typeof abTestWorkflow>({
        ...input,
        carried: {
          since,
          waitedMs: status.waitedMs,
          looks: status.looks,
          samples: status.samples,
          runs: (carried?.runs ?? 0) + 1,
        },
      });
    }
  }

  let outcome: string;
  if (stop) {
    status.phase = 'stopped';
    status.stoppedBy = stop.by;
    status.stopReason = stop.reason;
    outcome = `stopped by ${stop.by}${stop.reason ? `: ${stop.reason}` : ''} after ${status.looks} looks (${status.samples.a} / ${status.samples.b} samples)`;
  } else if (status.verdict) {
    status.phase = 'decided';
    outcome = `${status.verdict.decision}: effect ${status.verdict.effect} (95% CI ${status.verdict.ci95[0]} to ${status.verdict.ci95[1]})`;
  } else {
    status.phase = 'inconclusive';
    outcome = `fewer than ${input.minSamples} samples per variant (${status.samples.a} / ${status.samples.b}) before the maximum duration`;
  }
  setCurrentDetails(abDetails(input, status));
  // Everyone back to production once the test has its answer (or was stopped).
  await acts.setRolloutShare(row(0, ENDED_STATUS[status.phase]));
  await acts.recordRolloutEvent({
    rolloutId: input.abId,
    index: 0,
    name: input.name,
    kind: status.phase,
    detail: outcome,
  });
  return status;
}
