import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../shared';
import { CliError } from './exit-codes';

/** The run a `refinery decide` argument names, and whether it was named by its library item. */
export interface DecideTarget {
  workflowId: string;
  /** The library item the argument named, when it was not a workflow id. */
  item?: string;
  workflowType: string;
}

/** Names Temporal's visibility query can hold between single quotes as they are (library names are simpler still). */
const QUERYABLE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/**
 * An existing workflow id is decided as it is. Anything else names a library item: its one tune or optimizer run
 * that is running and awaiting a decision, found through Temporal's visibility (RefinerySkill and RefineryStatus,
 * the search attributes `refinery list` reads), so the name form works without knowing the run's random id.
 */
export async function resolveDecideTarget(client: Client, arg: string): Promise<DecideTarget> {
  try {
    const desc = await client.workflow.getHandle(arg).describe();
    return { workflowId: arg, workflowType: desc.type };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const none = new CliError(
    `no run of "${arg}" is awaiting a decision, and no workflow has the id "${arg}": ` +
      'see the runs that are with `refinery list --status awaiting-decision`',
  );
  if (!QUERYABLE.test(arg)) throw none;
  const query =
    `WorkflowType IN ('tuneWorkflow', 'optimizeWorkflow') AND ExecutionStatus = 'Running' AND ` +
    `${SEARCH_ATTRIBUTES.skill} = '${arg}' AND ${SEARCH_ATTRIBUTES.status} = 'awaiting-decision'`;
  const runs: { workflowId: string; type: string }[] = [];
  for await (const wf of client.workflow.list({ query })) runs.push({ workflowId: wf.workflowId, type: wf.type });
  if (runs.length === 0) throw none;
  if (runs.length > 1)
    throw new CliError(
      `${runs.length} runs of "${arg}" are awaiting a decision: ${runs.map((r) => r.workflowId).join(', ')}: ` +
        'decide one by its id: refinery decide <workflow-id> --action … --by <name>',
    );
  return { workflowId: runs[0]!.workflowId, item: arg, workflowType: runs[0]!.type };
}
