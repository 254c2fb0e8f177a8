import { parseArgs } from 'node:util';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { connectClient } from '../../client';
import { DecideTargetError, resolveDecideTarget } from '../../clients/decide-target';
import { CHAIN_WORKFLOW_TYPE } from '../../clients/folder-tune';
import { OPTIMIZE_WORKFLOW_TYPE, type OptimizeWorkflow } from '../../clients/optimize';
import { progressLine } from '../../clients/tune';
import { statusOf, UnknownRunError, type StatusAnswer } from '../../clients/tune-status';
import { chainTuneStatusQuery, type ChainTuneStatus } from '../../optimizer/chain-types';
import type { Config } from '../../config';
import { openStore } from '../../store/open';
import { reconcileRuns } from '../../temporal/reconcile-runs';
import { workerPolling } from '../../temporal/pollers';
import { runBinding } from '../../temporal/store-binding';
import type { DecisionAction } from '../../tune/types';
import { childAwaitingDecision, childStallLines, type ChildAwaitingDecision } from '../child-stall';
import { CliError, EXIT } from '../exit-codes';
import { isImproveStatus } from '../improve-status';
import { printImproveStatus } from '../improve-status-report';
import { isOptimizeStatus, renderOptimizeStatus } from '../optimize-status';
import { workflowUiLink } from '../stack';
import { optimizeStatusQuery } from '../../shared';
import { followOptimizeRun } from './tune-dataset';

export const statusHelp = `refinery status <workflow-id> [--json]
  Phase, iteration, scores, a stall awaiting a decision, and the outcome when done (a \`tune --dataset\` run:
  the frontier, the best validation score with its interval, budget spent, the last rejection). Of a chain
  (\`tune --chain\`) or an improve run: each step, and the child run awaiting a decision with the \`refinery decide\`
  commands (exit 4; --json adds "awaitingDecision"); of an improve run, its rollout awaiting an approver with the
  \`refinery rollout approve|reject\` commands (exit 0; --json adds "awaitingApproval"). With no worker polling (or none answering within 5 s) it
  answers from the store and Temporal's visibility, says so, and --json prints that answer ({"source":"store",...})
  instead of the run's own status.`;
export const decideHelp = `refinery decide <workflow-id | item name> --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"] [--wait]
  Decides a stalled tune run (sent as a validated update; the Web UI can send the "decide" signal instead).
  A name that is not a workflow id names a library item: its one tune run awaiting a decision is decided
  (none or several: an error that lists them; \`refinery list --status awaiting-decision\` shows them all).
  --wait follows an optimizer run (\`tune <name> --dataset\`) to its end as \`tune --wait\` does: the outcome, and the
  report written here; with CI set or no terminal, a new stall ends it with exit 4.`;
export const listHelp = `refinery list [--status running|awaiting-decision|completed|cancelled] [--json]
  Tune runs (the folder loop and tune <name> --dataset), newest first, from Temporal's visibility (the Web UI shows the same through RefineryStatus);
  works with no worker running, and says so on stderr.`;

function printStored(config: Config, id: string, a: Extract<StatusAnswer, { source: 'store' }>): void {
  const r = a.store;
  console.log(`${id}${r ? ` (${r.skills.join(' → ')})` : ''}\n  ${workflowUiLink(config, id)}`);
  console.log(`  ${a.reason}: this answer comes from the store and Temporal's visibility.`);
  const temporal = `Temporal: ${a.temporalStatus.toLowerCase().replace(/_/g, '-')}`;
  if (!r) console.log(`  ${temporal}; the store has no record of the run yet (its first step has not run).`);
  else {
    const trail = r.scores.map((n) => (n === null ? '✗' : String(Math.round(n * 10) / 10))).join(' → ') || '—';
    console.log(
      `  ${temporal}; store: ${r.status}${r.termination ? ` (${r.termination})` : ''} · ${r.scores.length} iterations · scores ${trail}` +
        (r.bestScore === null ? '' : ` · best ${r.bestScore}`),
    );
  }
  if (r?.status === 'awaiting-decision')
    console.log(
      `  awaiting a decision: refinery decide ${id} --action continue|accept|rollback|cancel [--iterations N] --by <name> (needs a worker)`,
    );
  if (a.temporalStatus === 'RUNNING')
    console.log(`  the run moves on when a worker polls "${a.taskQueue}": \`refinery dev\` or \`refinery worker\`.`);
}

export async function statusCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const id = positionals[0];
  if (!id) throw new CliError('name the run: refinery status <workflow-id>');
  const db = await openStore(config.databaseUrl);
  let answer: StatusAnswer;
  try {
    const { client, close } = await connectClient(config);
    try {
      // Runs that ended as workflows are closed in the store first, so the answer below is current.
      await reconcileRuns(client, db).catch(() => undefined);
      const chain = await chainStatusOf(client, id);
      if (chain) {
        // A step's run that stalls is where the decision goes: the chain itself only waits on it.
        const waiting = await childAwaitingDecision(client, chain);
        if (values.json) console.log(JSON.stringify(waiting ? { ...chain, awaitingDecision: waiting } : chain));
        else for (const line of chainStatusLines(id, chain, waiting)) console.log(line);
        return waiting ? EXIT.awaitingDecision : EXIT.ok;
      }
      answer = await statusOf(client, db, id).catch((err: unknown) => {
        throw err instanceof UnknownRunError ? new CliError(err.message) : err;
      });
      // An improve run answers the same query; its tune (a child optimizer run) may be the one awaiting a decision.
      if (answer.source === 'workflow' && isImproveStatus(answer.status)) {
        const printed = await printImproveStatus(client, id, answer.status, {
          json: values.json,
          link: workflowUiLink(config, id),
        });
        return printed.awaitingDecision ? EXIT.awaitingDecision : EXIT.ok;
      }
    } finally {
      await close();
    }
  } finally {
    await db.close();
  }
  if (answer.source === 'store') {
    if (values.json) console.log(JSON.stringify({ workflowId: id, ...answer, store: answer.store ?? null }));
    else printStored(config, id, answer);
    return answer.store?.status === 'awaiting-decision' ? EXIT.awaitingDecision : EXIT.ok;
  }
  const s = answer.status;
  if (values.json) {
    console.log(JSON.stringify(s));
    return s.stall ? EXIT.awaitingDecision : EXIT.ok;
  }
  // The optimizer (`tune <name> --dataset`) answers the same query with its own shape.
  if (isOptimizeStatus(s)) {
    for (const line of renderOptimizeStatus(id, s, workflowUiLink(config, id))) console.log(line);
    return s.stall && !s.outcome ? EXIT.awaitingDecision : EXIT.ok;
  }
  console.log(`${id} (${s.skills.join(' → ')})\n  ${workflowUiLink(config, id)}\n  ${progressLine(s)}`);
  if (s.stall) {
    console.log(`  awaiting a decision since ${s.stall.since}: ${s.stall.detail}`);
    console.log(
      `  decide with: refinery decide ${id} --action continue|accept|rollback|cancel [--iterations N] --by <name>`,
    );
  }
  for (const w of s.warnings) console.log(`  warning: ${w}`);
  for (const d of s.decisions)
    console.log(`  decision: ${d.action} by ${d.by}${d.note ? ` (${d.note})` : ''}${d.timedOut ? ' [timed out]' : ''}`);
  if (s.outcome) {
    console.log(
      `  ${s.termination}: best ${s.outcome.bestScore} at iteration ${s.outcome.bestIteration}; assertiveness ${s.outcome.assertiveness}; for the folder: ${s.outcome.writeBack.length ? `yes (\`refinery outcome ${id} --write\`)` : 'no'}`,
    );
    for (const p of s.outcome.reportPaths) console.log(`  report: ${p}`);
  }
  return s.stall ? EXIT.awaitingDecision : EXIT.ok;
}

export async function decideCommand(
  config: Config,
  argv: string[],
  options: { stopAtStall?: boolean } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      action: { type: 'string' },
      iterations: { type: 'string' },
      by: { type: 'string' },
      note: { type: 'string' },
      wait: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const arg = positionals[0];
  if (!arg) throw new CliError('name the run: refinery decide <workflow-id | item name> --action … --by <name>');
  if (!values.action) throw new CliError('--action is required: continue, accept, rollback or cancel');
  if (!values.by) throw new CliError('--by is required: who decides (recorded in the run and its report)');
  const iterations = values.iterations === undefined ? undefined : Number(values.iterations);
  const { client, close } = await connectClient(config);
  try {
    const target = await resolveDecideTarget(client, arg).catch((err: unknown) => {
      throw err instanceof DecideTargetError ? new CliError(err.message) : err;
    });
    const id = target.workflowId;
    if (values.wait && target.workflowType !== OPTIMIZE_WORKFLOW_TYPE)
      throw new CliError(
        `--wait follows optimizer runs; ${id} is a ${target.workflowType}: follow it with \`refinery status ${id}\``,
      );
    if (target.item) console.log(`${target.item}: deciding ${id}, its run awaiting a decision`);
    const handle = client.workflow.getHandle<OptimizeWorkflow>(id);
    // What --wait needs from before the decision: the item's name and the stall being decided.
    const before = values.wait ? await handle.query(optimizeStatusQuery) : undefined;
    let answer: unknown;
    try {
      answer = await handle.executeUpdate('decide', {
        args: [{ action: values.action as DecisionAction, iterations, by: values.by, note: values.note }],
      });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError)
        throw new CliError(`decision refused: ${err.cause?.message ?? err.message}`);
      throw err;
    }
    console.log(`${id}: ${String(answer)}`);
    if (!values.wait) return EXIT.ok;
    const db = await openStore(config.databaseUrl);
    try {
      return await followOptimizeRun(db, handle, {
        name: before!.target.name,
        stopAtStall: options.stopAtStall,
        decidedStall: before!.stall?.since,
      });
    } finally {
      await db.close();
    }
  } finally {
    await close();
  }
}

export async function listCommand(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { status: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } },
  });
  const allowed = ['running', 'awaiting-decision', 'completed', 'cancelled'];
  if (values.status && !allowed.includes(values.status))
    throw new CliError(`--status ${values.status}: use one of ${allowed.join(', ')}`);
  // Both kinds of tune: the folder loop and the optimizer (`tune <name> --dataset`).
  const query = `WorkflowType IN ('tuneWorkflow', 'optimizeWorkflow')${values.status ? ` AND RefineryStatus = '${values.status}'` : ''}`;
  const limit = Number(values.limit ?? 50);
  const db = await openStore(config.databaseUrl);
  const { client, close } = await connectClient(config);
  try {
    const { taskQueue } = await runBinding(config, db);
    // Visibility and the store answer without a worker; runs that ended as workflows are closed first.
    await reconcileRuns(client, db).catch(() => undefined);
    const polling = await workerPolling(client, taskQueue).catch(() => false);
    const rows = [];
    for await (const wf of client.workflow.list({ query })) {
      const sa = wf.typedSearchAttributes;
      const refineryStatus = sa.getAll().find((p) => p.key.name === 'RefineryStatus')?.value;
      // A run that failed or was terminated as a workflow never updated RefineryStatus: Temporal's word wins.
      const ended = ['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(wf.status.name);
      rows.push({
        workflowId: wf.workflowId,
        status: ended || refineryStatus === undefined ? wf.status.name.toLowerCase() : String(refineryStatus),
        skill: String(sa.getAll().find((p) => p.key.name === 'RefinerySkill')?.value ?? ''),
        kind: wf.type === 'optimizeWorkflow' ? 'optimize' : 'tune',
        started: wf.startTime.toISOString(),
      });
      if (rows.length >= limit) break;
    }
    const note = polling
      ? undefined
      : `no worker is polling task queue "${taskQueue}": statuses come from Temporal's visibility and the store; running runs wait for \`refinery dev\` or \`refinery worker\`.`;
    if (values.json) console.log(JSON.stringify(rows));
    else if (rows.length === 0) console.log('no tune runs match');
    else
      for (const r of rows) console.log(`${r.started}  ${r.status.padEnd(18)} ${r.skill.padEnd(24)} ${r.workflowId}`);
    if (note) console.error(note);
    return EXIT.ok;
  } finally {
    await close();
    await db.close();
  }
}

/** A chain run of the folder form (`tune <dir>… --chain`): its status, or undefined for any other run. */
async function chainStatusOf(client: Client, id: string): Promise<ChainTuneStatus | undefined> {
  const handle = client.workflow.getHandle(id);
  const desc = await handle.describe().catch(() => undefined);
  if (desc?.type !== CHAIN_WORKFLOW_TYPE) return undefined;
  if (desc.status.name === 'COMPLETED') return (await handle.result()) as ChainTuneStatus;
  return handle.query(chainTuneStatusQuery);
}

/**
 * One line per step of the chain, each naming its own optimizer run (where its decisions and status live), and the
 * step's stall when the chain waits on a decision.
 */
export function chainStatusLines(id: string, chain: ChainTuneStatus, waiting?: ChildAwaitingDecision): string[] {
  return [
    `${id} (chain ${chain.steps.map((s) => s.skill).join(' → ')}): ${chain.phase}`,
    ...chain.steps.map(
      (s, i) =>
        `  ${i + 1}. ${s.skill}: ${s.workflowId ? `${s.workflowId} · ${s.status ? (s.status.stop ?? s.status.phase) : 'running'}` : 'not started'}`,
    ),
    ...(waiting ? childStallLines(waiting) : []),
    '  each step is an optimizer run: `refinery status <step id>`, `refinery decide <step id>`, `refinery outcome <step id> --write`',
  ];
}
