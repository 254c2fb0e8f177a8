import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../shared';
import { queryWithin } from './query-within';

/**
 * The run a `refinery decide` argument names, and whether it was named by its library item. Shared by the CLI in local
 * mode and the API's decide route (remote mode), so both resolve a name by the same rules.
 */
export interface DecideTarget {
  workflowId: string;
  /** The library item the argument named, when it was not a workflow id. */
  item?: string;
  workflowType: string;
}

/**
 * A name that resolves to no run awaiting a decision, or to several. The CLI prints it as it is (exit 2); the API
 * answers it as a problem (404 or 409) whose detail is this same message, so both modes say the same words.
 */
export class DecideTargetError extends Error {
  constructor(
    readonly kind: 'none' | 'several' | 'takes-no-decision',
    message: string,
  ) {
    super(message);
    this.name = 'DecideTargetError';
  }
}

/** The workflow types that take a `decide`: the tune loop and the optimizer. */
const DECIDES = ['tuneWorkflow', 'optimizeWorkflow'];

/** Names Temporal's visibility query can hold between single quotes as they are (library names are simpler still). */
const QUERYABLE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/**
 * An existing workflow id is decided as it is. Anything else names a library item: its one tune or optimizer run
 * that is running and awaiting a decision, found through Temporal's visibility (RefinerySkill and RefineryStatus,
 * the search attributes `refinery list` reads), so the name form works without knowing the run's random id.
 * Visibility is eventually consistent and RefineryStatus changes at the stall itself, so a decide typed right after
 * a stall may not see it yet: when visibility shows none waiting, the item's running runs (RefinerySkill is set when
 * a run starts, long settled) are asked their status directly, which is always current.
 */
export async function resolveDecideTarget(
  client: Client,
  arg: string,
  /** The id form the "several" message points at: remote mode has no --by (the token's subject decides). */
  byId = 'refinery decide <workflow-id> --action … --by <name>',
): Promise<DecideTarget> {
  return (
    (await decidableRun(client, arg)) ??
    (await awaitingRunOf(client, arg, byId, `, and no workflow has the id "${arg}"`))
  );
}

/**
 * The run with this workflow id, when there is one; undefined when no workflow has it. A run of a type that takes no
 * decision (an improve run or a chain shows its child's wait in its own status and details, which invites deciding
 * the parent) is refused, naming where the run to decide is shown.
 */
export async function decidableRun(client: Client, workflowId: string): Promise<DecideTarget | undefined> {
  try {
    const desc = await client.workflow.getHandle(workflowId).describe();
    if (!DECIDES.includes(desc.type))
      throw new DecideTargetError(
        'takes-no-decision',
        `${workflowId} is a run of ${desc.type}, which takes no decision: decide the run it waits on, which ` +
          `\`refinery status ${workflowId}\` names with its \`refinery decide\` command`,
      );
    return { workflowId, workflowType: desc.type };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The one running run of the library item `item` that awaits a decision; none or several is a DecideTargetError. */
export async function awaitingRunOf(
  client: Client,
  item: string,
  byId: string,
  /** Appended to the "none" message: what else was looked for. */
  alsoLookedFor = '',
): Promise<DecideTarget> {
  const none = new DecideTargetError(
    'none',
    `no run of "${item}" is awaiting a decision${alsoLookedFor}: ` +
      'see the runs that are with `refinery list --status awaiting-decision`',
  );
  if (!QUERYABLE.test(item)) throw none;
  const runsOfItem =
    `WorkflowType IN (${DECIDES.map((t) => `'${t}'`).join(', ')}) AND ExecutionStatus = 'Running' AND ` +
    `${SEARCH_ATTRIBUTES.skill} = '${item}'`;
  let runs = await listRuns(client, `${runsOfItem} AND ${SEARCH_ATTRIBUTES.status} = 'awaiting-decision'`);
  if (runs.length === 0) runs = await stalledByStatus(client, await listRuns(client, runsOfItem));
  if (runs.length === 0) throw none;
  if (runs.length > 1)
    throw new DecideTargetError(
      'several',
      `${runs.length} runs of "${item}" are awaiting a decision: ${runs.map((r) => r.workflowId).join(', ')}: ` +
        `decide one by its id: ${byId}`,
    );
  return { workflowId: runs[0]!.workflowId, item, workflowType: runs[0]!.type };
}

type Run = { workflowId: string; type: string };

async function listRuns(client: Client, query: string): Promise<Run[]> {
  const runs: Run[] = [];
  for await (const wf of client.workflow.list({ query })) runs.push({ workflowId: wf.workflowId, type: wf.type });
  return runs;
}

/** The runs whose own status query shows a stall; a run that cannot answer in time (no worker) is not counted. */
async function stalledByStatus(client: Client, runs: Run[]): Promise<Run[]> {
  const stalled = await Promise.all(
    runs.map(async (run) => {
      const status = await queryWithin<{ stall?: unknown }>(client, run.workflowId, 'status');
      return status?.stall ? run : undefined;
    }),
  );
  return stalled.filter((r): r is Run => r !== undefined);
}
