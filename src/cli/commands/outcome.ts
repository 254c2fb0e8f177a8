import { parseArgs } from 'node:util';
import { connectClient } from '../../client';
import type { Config } from '../../config';
import { openStore } from '../../store/open';
import type { OptimizeStatus } from '../../optimizer/types';
import type { TuneStatus } from '../../tune/types';
import { applyOptimizeFolder, optimizeDiff } from '../folder-outcome';
import { isOptimizeStatus } from '../optimize-status';
import { writeOptimizeReports } from './tune-dataset';
import { CliError, EXIT } from '../exit-codes';
import { applyTuneOutcome, describeApplied } from '../tune-outcome';
import { outcomeDiff } from '../watch-tune';

export const outcomeHelp = `refinery outcome <workflow-id> [--write] [--dir <skill-folder>] [--json]
  The outcome of a finished tune run, from the store: what it writes into the skill folder and where the
  report goes. With --write it writes them on this machine (a run started elsewhere, or without --wait),
  refusing a folder edited since the run started. --dir names the folder when the run has none (a calendar
  regression tune) or it lives elsewhere here (runs of one skill).`;

/** The finished run's status (its result); a run still going is refused with what to do. */
async function finishedStatus(config: Config, id: string): Promise<TuneStatus | OptimizeStatus> {
  const { client, close } = await connectClient(config);
  try {
    const handle = client.workflow.getHandle(id);
    const desc = await handle.describe().catch(() => undefined);
    if (!desc) throw new CliError(`no tune run with id ${id}: check the id with \`refinery list\``);
    if (desc.type !== 'tuneWorkflow' && desc.type !== 'optimizeWorkflow')
      throw new CliError(
        desc.type === 'chainTuneWorkflow'
          ? `${id} is a chain: write each skill from its own run (\`refinery status ${id}\` names them)`
          : `${id} is a ${desc.type}, not a tune run`,
      );
    if (desc.status.name === 'RUNNING')
      throw new CliError(`${id} has not finished: follow it with \`refinery status ${id}\`, then run this again`);
    if (desc.status.name !== 'COMPLETED')
      throw new CliError(`${id} ended ${desc.status.name.toLowerCase()}: it has no outcome to write`, EXIT.failed);
    return (await handle.result()) as TuneStatus | OptimizeStatus;
  } finally {
    await close();
  }
}

/** `refinery outcome`: print, or write here, what a finished tune run chose. */
export async function outcomeCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { write: { type: 'boolean' }, dir: { type: 'string' }, json: { type: 'boolean' } },
  });
  const id = positionals[0];
  if (!id) throw new CliError('name the run: refinery outcome <workflow-id> [--write]');
  const found = await finishedStatus(config, id);
  if (isOptimizeStatus(found)) return optimizeOutcome(config, id, found, values);
  const status = found;
  if (values.dir !== undefined && status.skills.length !== 1)
    throw new CliError(
      `--dir names one folder, and ${id} tuned ${status.skills.length} skills: write each from its own run`,
    );
  const dirs = values.dir === undefined ? undefined : { [status.skills[0]!]: values.dir };
  const db = await openStore(config.databaseUrl);
  try {
    const applied = await applyTuneOutcome(db, status, { write: Boolean(values.write), dirs });
    const refused = applied.folders.some((f) => f.refused);
    if (values.json) console.log(JSON.stringify({ workflowId: id, termination: status.termination, ...applied }));
    else {
      console.log(
        `${id} (${status.skills.join(' → ')}) ${status.termination}: best score ${status.outcome?.bestScore} at iteration ${status.outcome?.bestIteration}`,
      );
      if (!applied.folders.length)
        console.log('  nothing for the skill folder (dry run, rollback, cancel, timeout or no change)');
      for (const line of describeApplied(applied, Boolean(values.write))) console.log(`  ${line}`);
      const diff = await outcomeDiff(db, status);
      if (diff) console.log(diff);
      if (!values.write && applied.folders.length) console.log(`  write it with: refinery outcome ${id} --write`);
    }
    // A refusal wrote nothing of that folder: bad input in the CLI's terms, with the fix in the message.
    return refused && values.write ? EXIT.badInput : EXIT.ok;
  } finally {
    await db.close();
  }
}

/** `refinery outcome` of an optimizer run: the folder form's chosen version into its folder, and its report. */
async function optimizeOutcome(
  config: Config,
  id: string,
  status: OptimizeStatus,
  values: { write?: boolean; dir?: string; json?: boolean },
): Promise<number> {
  const write = Boolean(values.write);
  const db = await openStore(config.databaseUrl);
  try {
    const folder = await applyOptimizeFolder(db, status, {
      write,
      ...(values.dir !== undefined ? { dir: values.dir } : {}),
    });
    const reports = write ? await writeOptimizeReports(db, status) : { written: [] };
    const applied = { folders: folder ? [folder] : [], reportPaths: status.outcome?.reportPaths ?? [] };
    if (values.json) console.log(JSON.stringify({ workflowId: id, termination: status.stop, ...applied }));
    else {
      console.log(
        `${id} (${status.target.name}) ${status.stop ?? 'ended'}: version ${status.outcome?.version ?? 'none'}`,
      );
      if (!folder)
        console.log('  nothing for the skill folder (dry run, rollback, cancel, no folder form or no change)');
      for (const line of describeApplied(applied, write)) console.log(`  ${line}`);
      if (reports.refused) console.log(`  warning: report not written: ${reports.refused}`);
      const diff = await optimizeDiff(db, status);
      if (diff && folder) console.log(diff);
      if (!write && folder) console.log(`  write it with: refinery outcome ${id} --write`);
    }
    return folder?.refused && write ? EXIT.badInput : EXIT.ok;
  } finally {
    await db.close();
  }
}
