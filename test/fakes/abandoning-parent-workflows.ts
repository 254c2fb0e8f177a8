/**
 * The real optimizer with a parent that starts it, abandons it and ends at once: the child's signals to its parent
 * (that it waits for a decision, then that it no longer does) then fail, as when a parent is gone, and the test
 * checks that the child waits and ends all the same.
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { OptimizeInput } from '../../src/optimizer/types';

export { optimizeWorkflow } from '../../src/workflows/optimize';

export async function abandoningParentWorkflow(input: OptimizeInput, childId: string): Promise<void> {
  await startChild('optimizeWorkflow', {
    workflowId: childId,
    args: [input],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
}
