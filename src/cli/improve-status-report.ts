import type { Client } from '@temporalio/client';
import type { ImproveStatus } from '../improve/types';
import { childApprovalLines, childAwaitingApproval } from './child-approval';
import { childAwaitingDecision, childStallLines } from './child-stall';
import { improveStatusLines } from './improve-status';

/**
 * What `refinery status <improve id>` and `refinery improve --run <id>` print: the run's steps, then the child a
 * person must answer, if any: its tune awaiting `refinery decide` (or nobody knows to decide), its rollout awaiting
 * an approver (a step short of samples). Returns whether a tune awaits a decision, which `status` exits 4 for.
 */
export async function printImproveStatus(
  client: Client,
  workflowId: string,
  s: ImproveStatus,
  opts: { json?: boolean; link?: string } = {},
): Promise<{ awaitingDecision: boolean }> {
  const waiting = await childAwaitingDecision(client, s);
  const approval = await childAwaitingApproval(client, s);
  if (opts.json)
    console.log(
      JSON.stringify({
        ...s,
        ...(waiting ? { awaitingDecision: waiting } : {}),
        ...(approval ? { awaitingApproval: approval } : {}),
      }),
    );
  else
    for (const line of [
      ...improveStatusLines(workflowId, s, opts.link),
      ...(waiting ? childStallLines(waiting) : []),
      ...(approval ? childApprovalLines(approval) : []),
    ])
      console.log(line);
  return { awaitingDecision: waiting !== undefined };
}
