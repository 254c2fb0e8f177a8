import { parseArgs } from 'node:util';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { connectClient } from '../../client';
import { progressLine } from '../../clients/tune';
import type { Config } from '../../config';
import type { DecisionAction, TuneStatus } from '../../tune/types';
import { CliError, EXIT } from '../exit-codes';
import { workflowUiLink } from '../stack';

export const statusHelp = `refinery status <workflow-id> [--json]
  Phase, iteration, scores, a stall awaiting a decision, and the outcome when done.`;
export const decideHelp = `refinery decide <workflow-id> --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"]
  Decides a stalled tune run (sent as a validated update; the Web UI can send the "decide" signal instead).`;
export const listHelp = `refinery list [--status running|awaiting-decision|completed|cancelled] [--json]
  Tune runs, newest first, from Temporal's visibility (the Web UI shows the same through RefineryStatus).`;

async function statusOf(config: Config, id: string): Promise<TuneStatus> {
  const { client, close } = await connectClient(config);
  try {
    const handle = client.workflow.getHandle(id);
    try {
      return await handle.query<TuneStatus>('status');
    } catch (err) {
      const desc = await handle.describe().catch(() => undefined);
      if (!desc) throw new CliError(`no tune run with id ${id}: check the id with \`refinery list\``);
      if (desc.status.name === 'COMPLETED') return (await handle.result()) as TuneStatus;
      throw new Error(
        `run ${id} is ${desc.status.name} and did not answer its status query (${(err as Error).message}); is a worker running?`,
      );
    }
  } finally {
    await close();
  }
}

export async function statusCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const id = positionals[0];
  if (!id) throw new CliError('name the run: refinery status <workflow-id>');
  const s = await statusOf(config, id);
  if (values.json) {
    console.log(JSON.stringify(s));
    return EXIT.ok;
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

export async function decideCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      action: { type: 'string' },
      iterations: { type: 'string' },
      by: { type: 'string' },
      note: { type: 'string' },
    },
    allowPositionals: true,
  });
  const id = positionals[0];
  if (!id) throw new CliError('name the run: refinery decide <workflow-id> --action … --by <name>');
  if (!values.action) throw new CliError('--action is required: continue, accept, rollback or cancel');
  if (!values.by) throw new CliError('--by is required: who decides (recorded in the run and its report)');
  const iterations = values.iterations === undefined ? undefined : Number(values.iterations);
  const { client, close } = await connectClient(config);
  try {
    const answer = await client.workflow.getHandle(id).executeUpdate('decide', {
      args: [{ action: values.action as DecisionAction, iterations, by: values.by, note: values.note }],
    });
    console.log(`${id}: ${String(answer)}`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new CliError(`decision refused: ${err.cause?.message ?? err.message}`);
    throw err;
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
  const query = `WorkflowType = 'tuneWorkflow'${values.status ? ` AND RefineryStatus = '${values.status}'` : ''}`;
  const limit = Number(values.limit ?? 50);
  const { client, close } = await connectClient(config);
  try {
    const rows = [];
    for await (const wf of client.workflow.list({ query })) {
      const sa = wf.typedSearchAttributes;
      rows.push({
        workflowId: wf.workflowId,
        status: String(sa.getAll().find((p) => p.key.name === 'RefineryStatus')?.value ?? wf.status.name.toLowerCase()),
        skill: String(sa.getAll().find((p) => p.key.name === 'RefinerySkill')?.value ?? ''),
        started: wf.startTime.toISOString(),
      });
      if (rows.length >= limit) break;
    }
    if (values.json) console.log(JSON.stringify(rows));
    else if (rows.length === 0) console.log('no tune runs match');
    else
      for (const r of rows) console.log(`${r.started}  ${r.status.padEnd(18)} ${r.skill.padEnd(24)} ${r.workflowId}`);
    return EXIT.ok;
  } finally {
    await close();
  }
}
