import type { Client } from '@temporalio/client';
import { queryWithin } from '../clients/query-within';
import type { ImproveStatus } from '../improve/types';
import type { ChainTuneStatus } from '../optimizer/chain-types';
import type { OptimizeStatus } from '../optimizer/types';
import { optimizeStatusQuery } from '../shared';
import { decideCommandLine } from '../optimizer/decide-command';
import { currentOptimizeChild } from '../web-ui/child-waiting';

/** A parent run's current optimizer child that stalls awaiting a decision (`refinery decide <child id>`). */
export interface ChildAwaitingDecision {
  workflowId: string;
  /** The item the child tunes: `refinery decide <item>` finds its one waiting run too. */
  name: string;
  reason: string;
  detail: string;
  since: string;
  /** The commands that decide it, by its id and by its item. */
  decide: string[];
}

/** What a child's stall says to a person, as `refinery decide` takes it. */
export function childStallOf(workflowId: string, s: OptimizeStatus): ChildAwaitingDecision | undefined {
  if (!s.stall || s.outcome) return undefined;
  const name = s.target.name;
  return {
    workflowId,
    name,
    ...s.stall,
    decide: [decideCommandLine(workflowId, s.stall.reason), decideCommandLine(name, s.stall.reason)],
  };
}

/**
 * A workflow cannot query another, so the client composes it: asks the parent's current optimizer child for its
 * status and returns its stall, if it has one. A child that does not answer in time (no worker) is left out.
 */
export async function childAwaitingDecision(
  client: Client,
  parent: ImproveStatus | ChainTuneStatus,
): Promise<ChildAwaitingDecision | undefined> {
  const childId = currentOptimizeChild(parent);
  if (!childId) return undefined;
  const s = await queryWithin(client, childId, optimizeStatusQuery);
  return s ? childStallOf(childId, s) : undefined;
}

/** The lines `refinery status <parent>` adds when the child it waits on awaits a decision. */
export function childStallLines(c: ChildAwaitingDecision): string[] {
  return [
    `  waiting on ${c.workflowId} (${c.name}), awaiting a decision since ${c.since} (${c.reason}): ${c.detail}`,
    `  decide with: ${c.decide[0]}`,
    `  or by its item: ${c.decide[1]}`,
  ];
}
