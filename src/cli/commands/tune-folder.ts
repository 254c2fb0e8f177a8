import os from 'node:os';
import type { Client } from '@temporalio/client';
import { connectClient } from '../../client';
import { startFolderTune, type StartedFolderTune } from '../../clients/folder-tune';
import type { Config } from '../../config';
import { chainTuneStatusQuery, type ChainTuneStatus } from '../../optimizer/chain-types';
import type { OptimizeStatus } from '../../optimizer/types';
import type { Db } from '../../store/db';
import { openStore } from '../../store/open';
import { runBinding } from '../../temporal/store-binding';
import { EXIT } from '../exit-codes';
import { applyOptimizeFolder, optimizeDiff } from '../folder-outcome';
import { parseOptimizeSettings, type OptimizeFlags } from '../optimize-input';
import { optimizeExitCode, optimizeOutcomeLines } from '../optimize-status';
import { workflowUiLink } from '../stack';
import { validateFolderTune, type TuneFlags } from '../tune-input';
import { watchOptimize } from '../watch-optimize';
import { stalledHereLines, writeOptimizeReports } from './tune-dataset';

type Flags = TuneFlags & OptimizeFlags & { wait?: boolean; json?: boolean; by?: string };

/** A run followed here: its final status, or the stalled one when the command stopped at its stall. */
interface FollowedStep {
  workflowId: string;
  status: OptimizeStatus;
  /** It stalls awaiting a decision and nobody here can give it: nothing of it is written. */
  stalled?: boolean;
}

/**
 * `refinery tune <skill-dir>… --scenario … [--golden …] [--chain]`: pushes each folder, makes its scenario and
 * golden cases a dataset, and tunes it with the optimizer (one run per skill, or one chain run). With --wait it
 * follows the runs and, here, writes each chosen version into its folder and the reports under --output. As the
 * dataset form, stopAtStall (set by the CLI's entry when nobody at this terminal can decide) ends the wait of a run
 * at its stall with exit 4 and the commands that decide it; the run waits, durable, and its folder is not written.
 */
export async function tuneFolderCommand(
  config: Config,
  positionals: string[],
  values: Flags,
  options: { stopAtStall?: boolean } = {},
): Promise<number> {
  // The flags first (nothing read yet), then the folders, scenario and golden cases: a refusal leaves no trace.
  const parsed = parseOptimizeSettings(values, { cwd: process.cwd() });
  const tune = validateFolderTune(positionals, values);
  const say = (line: string) => {
    if (!values.json) console.log(line);
  };
  const db = await openStore(config.databaseUrl);
  const { client, close } = await connectClient(config);
  try {
    const binding = await runBinding(config, db);
    const startedBy = values.by ?? config.identity.user ?? os.userInfo().username;
    const started = await startFolderTune(client, db, binding, tune, { ...parsed, startedBy });
    const summary = started.map((s) => ({
      workflowId: s.workflowId,
      skills: s.kind === 'single' ? [s.folder.name] : s.folders.map((f) => f.name),
      dataset: s.dataset,
      link: workflowUiLink(config, s.workflowId),
    }));
    if (values.json && !values.wait) {
      console.log(JSON.stringify(summary));
      return EXIT.ok;
    }
    for (const s of started) {
      say(`started ${s.workflowId}\n  ${workflowUiLink(config, s.workflowId)}`);
      say(
        `  dataset ${s.dataset.name}@${s.dataset.version}: ${s.caseCount} cases from the scenario and golden cases` +
          (s.caseCount < parsed.split.minCasesForSplit
            ? ` (under ${parsed.split.minCasesForSplit}: no held-out evidence, a candidate is accepted on repeated samples)`
            : ''),
      );
    }
    if (parsed.seedDrawn)
      say(`  seed ${parsed.settings.seed} (drawn: repeat the run with --seed ${parsed.settings.seed})`);
    if (!values.wait) {
      for (const s of started)
        say(
          s.kind === 'single'
            ? `  when it ends, write it into the folder with: refinery outcome ${s.workflowId} --write`
            : `  \`refinery status ${s.workflowId}\` names each step's run; write each with \`refinery outcome <step id> --write\``,
        );
      return EXIT.ok;
    }

    let code: number = EXIT.ok;
    const results: unknown[] = [];
    const stopAtStall = Boolean(options.stopAtStall);
    let stalled = false;
    for (const s of started) {
      const steps: FollowedStep[] =
        s.kind === 'single'
          ? [await follow(client, s.workflowId, s.folder.name, stopAtStall, say)]
          : await followChain(client, s, stopAtStall, say);
      for (const step of steps) {
        if (step.stalled) {
          for (const line of stalledHereLines(step.workflowId, step.status.target.name, step.status.stall?.reason))
            say(line);
          if (s.kind === 'chain')
            say(`  the chain ${s.workflowId} goes on after the decision: \`refinery status ${s.workflowId}\``);
          results.push({
            workflowId: step.workflowId,
            status: step.status,
            code: EXIT.awaitingDecision,
            written: false,
            reportsWritten: [],
          });
          stalled = true;
          continue;
        }
        const done = await finishStep(db, step.workflowId, step.status, parsed.settings.dryRun, say);
        results.push({ workflowId: step.workflowId, status: step.status, ...done });
        code = Math.max(code, done.code);
      }
    }
    if (values.json) console.log(JSON.stringify(results));
    // A run left awaiting a decision is why the command ended now: exit 4 as its lines say, whatever the others did.
    return stalled ? EXIT.awaitingDecision : code;
  } finally {
    await close();
    await db.close();
  }
}

/** Follows one optimizer run to its end (or, with stopAtStall, to its first stall), its progress prefixed by the skill. */
async function follow(
  client: Client,
  workflowId: string,
  skill: string,
  stopAtStall: boolean,
  say: (l: string) => void,
): Promise<FollowedStep> {
  const status = await watchOptimize(client.workflow.getHandle(workflowId), (line) => say(`[${skill}] ${line}`), {
    stopAtStall,
  });
  return { workflowId, status, ...(status.stall && !status.outcome ? { stalled: true } : {}) };
}

/**
 * Follows a chain: each step's optimizer run as it starts, in order (the chain run names them in its status). With
 * stopAtStall a step's stall ends the following there: the steps after it wait for the decision, in the chain.
 */
async function followChain(
  client: Client,
  s: Extract<StartedFolderTune, { kind: 'chain' }>,
  stopAtStall: boolean,
  say: (l: string) => void,
): Promise<FollowedStep[]> {
  const done = s.handle.result();
  let ended: ChainTuneStatus | undefined;
  let failed: Error | undefined;
  void done.then(
    (r) => (ended = r),
    (err: unknown) => (failed = err instanceof Error ? err : new Error(`the chain run failed: ${String(err)}`)),
  );
  const out: FollowedStep[] = [];
  for (const [i, f] of s.folders.entries()) {
    // The step's run exists once the chain started it: ask the chain until it names it (or the chain ended).
    let workflowId: string | undefined;
    while (!workflowId) {
      const chain = ended ?? (await s.handle.query(chainTuneStatusQuery).catch(() => undefined));
      workflowId = chain?.steps[i]?.workflowId;
      if (workflowId) break;
      if (failed) throw failed;
      if (ended) break;
      await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
    }
    if (!workflowId) break;
    say(`[chain] step ${i + 1} of ${s.folders.length}: ${f.name} (${workflowId})`);
    const step = await follow(client, workflowId, f.name, stopAtStall, say);
    out.push(step);
    if (step.stalled) return out;
  }
  await done;
  return out;
}

/** One finished optimizer run of the folder form: its outcome, the folder written here, its report here. */
async function finishStep(
  db: Db,
  workflowId: string,
  status: OptimizeStatus,
  dryRun: boolean,
  say: (l: string) => void,
): Promise<{ code: number; written: boolean; refused?: string; reportsWritten: string[] }> {
  const name = status.target.name;
  const folder = await applyOptimizeFolder(db, status, { write: true });
  const reports = await writeOptimizeReports(db, status);
  const diff = await optimizeDiff(db, status);
  say(`[${name}] ${status.stop ?? 'ended'}`);
  for (const line of optimizeOutcomeLines(status)) say(`  ${line}`);
  for (const w of status.warnings) say(`  warning: ${w}`);
  if (folder?.written) say(`  written back to ${folder.dir}: ${folder.files.join(', ')}\n${diff}`);
  else if (folder?.refused) say(`  warning: write-back of ${name} refused: ${folder.refused}`);
  else if (dryRun && diff) say(`  not written (dry run); the diff would be:\n${diff}`);
  else
    say(
      `  the folder is unchanged (${status.stop === 'rolled-back' || status.stop === 'cancelled' ? status.stop : 'the original stayed best'})`,
    );
  for (const p of reports.written) say(`  report: ${p}`);
  if (reports.refused) say(`  warning: report not written: ${reports.refused}`);
  say(
    `  was it effective? refinery review tune ${workflowId} --effective yes|no --better "what would have made it better"`,
  );
  // A refused write-back wrote nothing of that folder: bad input in the CLI's terms, the fix in the message.
  const code = folder?.refused ? EXIT.badInput : optimizeExitCode(status);
  return {
    code,
    written: Boolean(folder?.written),
    ...(folder?.refused ? { refused: folder.refused } : {}),
    reportsWritten: reports.written,
  };
}
