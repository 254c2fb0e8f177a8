import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import type { OptimizeInput, OptimizeStatus } from '../optimizer/types';
import { SEARCH_ATTRIBUTES } from '../shared';
import type { RunBinding } from '../temporal/store-binding';
import { optimizeMetadata } from '../web-ui/static-metadata';

/**
 * The workflow's signature as the client sees it: started by name, so this module does not import the workflow
 * (src/workflows/optimize.ts). It returns its final status, as tuneWorkflow does.
 */
export type OptimizeWorkflow = (input: OptimizeInput) => Promise<OptimizeStatus>;

export const OPTIMIZE_WORKFLOW_TYPE = 'optimizeWorkflow';

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);
const skillKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.skill, SearchAttributeType.KEYWORD);

/** A run id unique per run: it keys the run's stored results, proposals and candidates. */
export function newOptimizeRunId(): string {
  return randomBytes(6).toString('hex');
}

export function optimizeWorkflowId(name: string, runId: string): string {
  return `optimize-${name}-${runId}`;
}

/**
 * Starts `optimizeWorkflow` on the store's task queue with the store's memo (a worker of another store refuses
 * its activities). Only names, versions, numbers and model choices go into the input.
 */
export async function startOptimize(
  client: Client,
  binding: Pick<RunBinding, 'taskQueue' | 'memo'>,
  input: OptimizeInput,
): Promise<{ workflowId: string; handle: WorkflowHandle<OptimizeWorkflow> }> {
  const workflowId = optimizeWorkflowId(input.target.name, input.runId);
  const handle = await client.workflow.start<OptimizeWorkflow>(OPTIMIZE_WORKFLOW_TYPE, {
    taskQueue: binding.taskQueue,
    workflowId,
    args: [input],
    memo: binding.memo,
    // What the Web UI shows for the run: summary, settings, how to follow it.
    ...optimizeMetadata(input, workflowId),
    typedSearchAttributes: new TypedSearchAttributes([
      { key: statusKey, value: 'running' },
      { key: skillKey, value: input.target.name },
    ]),
  });
  return { workflowId, handle };
}
