import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import {
  executeChild,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  chainTuneStatusQuery,
  type ChainStepStatus,
  type ChainTuneInput,
  type ChainTuneStatus,
} from '../optimizer/chain-types';
import type { OptimizeInput, OptimizeStatus } from '../optimizer/types';
import { childStallSignal, SEARCH_ATTRIBUTES } from '../shared';
import {
  afterNotice,
  currentOptimizeChild,
  parentStatusLabel,
  withChildWaiting,
  type ChildWaiting,
} from '../web-ui/child-waiting';
import { optimizeWorkflow } from './optimize';
import { optimizeMetadata } from '../web-ui/static-metadata';

type Activities = ReturnType<typeof createActivities>;

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);
const skillKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.skill, SearchAttributeType.KEYWORD);

// Making a step's dataset runs the previous skill once per case: minutes at most, heartbeating per case; each
// answer is stored as it comes, so a retry pays only for the ones still missing.
const steps = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['ProviderRejected', 'ProviderNotConfigured'] },
});

/**
 * Chain mode of the folder form: tunes the skills one after another, each by its own optimizer run (a child that
 * continues as new on its own and waits for its own decisions), on the folder's cases with the artifacts of the
 * chosen versions before it in its input. The loop is bounded by the number of skills, and the childStall signals
 * by the decisions people make (two per stall): well under 10,000 events, so no continue-as-new here.
 */
export async function chainTuneWorkflow(input: ChainTuneInput): Promise<ChainTuneStatus> {
  const status: ChainTuneStatus = {
    runId: input.runId,
    phase: 'starting',
    steps: input.skills.map((s): ChainStepStatus => ({ skill: s.name, dir: s.dir })),
  };
  /** The current step's stall, as its run told this one (the loop never continues as new: nothing to carry). */
  let waiting: ChildWaiting | undefined;
  let label = 'running';
  setHandler(chainTuneStatusQuery, () => status);
  const show = (phase: string) => {
    status.phase = phase;
    // RefineryStatus says a decision is needed while a step's run waits for one; it is written only when it changes.
    const next = parentStatusLabel(phase === 'completed' ? 'completed' : 'running', waiting);
    // Behind a patch: a chain that ended before this was written has no such upsert in its history to replay.
    if (next !== label && patched('child-stall-notice'))
      upsertSearchAttributes([{ key: statusKey, value: (label = next) }]);
    setCurrentDetails(
      withChildWaiting(
        [
          `**Chain tune** ${input.skills.map((s) => s.name).join(' → ')}: ${phase}`,
          ...status.steps.map(
            (s, i) =>
              `${i + 1}. ${s.skill}: ${s.status ? (s.status.stop ?? s.status.phase) : s.workflowId ? `running (${s.workflowId})` : 'waiting'}`,
          ),
        ].join('\n\n'),
        waiting,
      ),
    );
  };
  // A step's run says when it starts or stops waiting for a decision; only the step running now counts.
  setHandler(childStallSignal, (notice) => {
    waiting = afterNotice(waiting, notice, currentOptimizeChild(status));
    show(status.phase);
  });

  let previous: { skill: string; status: OptimizeStatus; dataset: { name: string; version: number } } | undefined;
  let upstreamRef: string | undefined;
  for (const [i, skill] of input.skills.entries()) {
    const step = status.steps[i]!;
    show(`step ${i + 1} of ${input.skills.length}: ${skill.name}, making its cases`);
    const prepared = await steps.prepareChainStep({
      runId: input.runId,
      step: i,
      skill: skill.name,
      last: i === input.skills.length - 1,
      base: input.base,
      ...(previous?.status.outcome
        ? {
            previous: {
              skill: previous.skill,
              chosen: previous.status.outcome.chosen,
              dataset: previous.dataset,
              ...(upstreamRef ? { upstreamRef } : {}),
            },
          }
        : {}),
      executor: input.settings.executor,
      startedBy: input.startedBy,
    });
    upstreamRef = prepared.upstreamRef;
    step.dataset = prepared.dataset;

    const child: OptimizeInput = {
      runId: `${input.runId}-${i + 1}`,
      target: { name: skill.name, version: skill.version, kind: 'skill' },
      dataset: prepared.dataset,
      split: input.split,
      settings: { ...input.settings, folder: skill.dir },
      startedBy: input.startedBy,
    };
    // Unique per chain run (the parent's workflow id holds its run id), and readable in the Web UI.
    step.workflowId = `${workflowInfo().workflowId}-${i + 1}-${skill.name}`;
    show(`step ${i + 1} of ${input.skills.length}: tuning ${skill.name}`);
    try {
      step.status = await executeChild(optimizeWorkflow, {
        workflowId: step.workflowId,
        args: [child],
        // As `refinery tune` starts a single skill's run: `refinery list` finds the steps by status and skill.
        typedSearchAttributes: new TypedSearchAttributes([
          { key: statusKey, value: 'running' },
          { key: skillKey, value: skill.name },
        ]),
        ...optimizeMetadata(child, step.workflowId),
        staticSummary: `Step ${i + 1} of chain ${input.runId}: optimizes skill ${skill.name}@${skill.version} on ${prepared.dataset.name}@${prepared.dataset.version}`,
      });
    } finally {
      // The step's run ended, however (a failed step too): it waits on nothing any more, whether or not it said so.
      if (waiting) {
        waiting = undefined;
        show(status.phase);
      }
    }
    previous = { skill: skill.name, status: step.status, dataset: prepared.dataset };
  }
  show('completed');
  return status;
}
