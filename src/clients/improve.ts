import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { improveWorkflowId } from '../improve/ids';
import type { ImproveInput, ImproveStatus } from '../improve/types';
import { SEARCH_ATTRIBUTES } from '../shared';
import type { RunBinding } from '../temporal/store-binding';
import { improveMetadata } from '../web-ui/static-metadata';

/** Started by name, so this module does not import the workflow (src/workflows/improve.ts). */
export type ImproveWorkflow = (input: ImproveInput) => Promise<ImproveStatus>;
export const IMPROVE_WORKFLOW_TYPE = 'improveWorkflow';

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);
const skillKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.skill, SearchAttributeType.KEYWORD);

/** Unique per run: it keys the run's stored steps, its child runs and the feedback it resolves. */
export const newImproveRunId = (): string => `imp${randomBytes(5).toString('hex')}`;
export { improveWorkflowId };

/** Starts improveWorkflow on the store's task queue with the store's memo. */
export async function startImprove(
  client: Client,
  binding: Pick<RunBinding, 'taskQueue' | 'memo'>,
  input: ImproveInput,
): Promise<{ workflowId: string; handle: WorkflowHandle<ImproveWorkflow> }> {
  const workflowId = improveWorkflowId(input.name, input.runId);
  const handle = await client.workflow.start<ImproveWorkflow>(IMPROVE_WORKFLOW_TYPE, {
    taskQueue: binding.taskQueue,
    workflowId,
    args: [input],
    memo: binding.memo,
    ...improveMetadata(input, workflowId),
    typedSearchAttributes: new TypedSearchAttributes([
      { key: statusKey, value: 'harvest' },
      { key: skillKey, value: input.name },
    ]),
  });
  return { workflowId, handle };
}
