import os from 'node:os';
import type { WorkflowHandle } from '@temporalio/client';
import { connectClient } from '../../client';
import { newOptimizeRunId, startOptimize, type OptimizeWorkflow } from '../../clients/optimize';
import type { Config } from '../../config';
import { decideCommandLine } from '../../optimizer/decide-command';
import type { OptimizeStatus } from '../../optimizer/types';
import { SkillError } from '../../skills/skill-error';
import { getBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { openStore } from '../../store/open';
import { runBinding } from '../../temporal/store-binding';
import { EXIT } from '../exit-codes';
import {
  buildOptimizeInput,
  parseOptimizeFlags,
  resolveOptimizeTarget,
  type OptimizeFlags,
  type ResolvedOptimizeTarget,
} from '../optimize-input';
import { projectionLines, projectOptimize } from '../optimize-projection';
import { optimizeExitCode, optimizeOutcomeLines } from '../optimize-status';
import { workflowUiLink } from '../stack';
import { writeReport } from '../tune-outcome';
import { watchOptimize } from '../watch-optimize';

const VERSION_SOURCE: Record<ResolvedOptimizeTarget['versionSource'], string> = {
  named: 'as named',
  production: 'its production version',
  latest: 'its latest version: it has no production label',
};

/**
 * Writes the run's report files on this machine, from the store (the worker writes nothing here). A path that
 * is not the shape the run builds is refused and said, never written.
 */
export async function writeOptimizeReports(
  db: Db,
  status: OptimizeStatus,
): Promise<{ written: string[]; refused?: string }> {
  const o = status.outcome;
  if (!o || o.reportPaths.length === 0) return { written: [] };
  const markdown = await getBlob(db, o.reportRef);
  const written: string[] = [];
  try {
    for (const file of o.reportPaths) {
      writeReport(file, markdown);
      written.push(file);
    }
  } catch (err) {
    if (!(err instanceof SkillError)) throw err;
    return { written, refused: err.message };
  }
  return { written };
}

/**
 * `refinery tune <name>[@v] --dataset <name@v>`: checks every flag, finds the item, version and dataset in the
 * store, prints the projection before anything is spent, starts optimizeWorkflow, and with --wait follows it and
 * writes its report here. stopAtStall (the CLI's entry sets it when nobody at this terminal can decide) ends the
 * wait at a stall with exit 4; called without it, --wait waits through a stall for a decision from elsewhere.
 */
export async function tuneDatasetCommand(
  config: Config,
  positionals: string[],
  values: OptimizeFlags & { wait?: boolean; json?: boolean; by?: string },
  options: { stopAtStall?: boolean } = {},
): Promise<number> {
  const parsed = parseOptimizeFlags(positionals, values);
  const say = (line: string) => {
    if (!values.json) console.log(line);
  };
  const db = await openStore(config.databaseUrl);
  try {
    const resolved = await resolveOptimizeTarget(db, parsed);
    const startedBy = values.by ?? config.identity.user ?? os.userInfo().username;
    const input = buildOptimizeInput(parsed, resolved, newOptimizeRunId(), startedBy);
    const { projection, models } = await projectOptimize(db, config, input);
    const { target, dataset } = input;
    const s = input.settings;

    say(
      `tuning ${target.kind} ${target.name}@${target.version} (${VERSION_SOURCE[resolved.versionSource]}) on dataset ` +
        `${dataset.name}@${dataset.version} (${resolved.caseCount} cases)`,
    );
    say(
      `  seed ${s.seed}${parsed.seedDrawn ? ` (drawn: repeat the run with --seed ${s.seed})` : ''} · ` +
        `${s.maxRounds} rounds × ${s.parallel} proposals · threshold ${s.threshold} · repeat ${s.repeat} · alpha ${s.alpha}`,
    );
    say(
      `  models: executor ${models.executor.provider}:${models.executor.model}, judge ${models.judge.provider}:${models.judge.model}, ` +
        `improver ${models.improver.provider}:${models.improver.model} (as this machine's keys resolve them)`,
    );
    if (models.sameFamilyWarning) say(`  warning: ${models.sameFamilyWarning}`);
    for (const line of projectionLines(projection, s.budget, s)) say(line);

    const { client, close } = await connectClient(config);
    try {
      const binding = await runBinding(config, db);
      const { workflowId, handle } = await startOptimize(client, binding, input);
      const link = workflowUiLink(config, workflowId);
      const started = {
        workflowId,
        runId: input.runId,
        link,
        target,
        versionSource: resolved.versionSource,
        dataset,
        seed: s.seed,
        projection,
        models,
      };
      if (!values.wait) {
        if (values.json) console.log(JSON.stringify(started));
        else {
          console.log(`started ${workflowId}\n  ${link}`);
          console.log(`  follow it with \`refinery status ${workflowId}\``);
        }
        return EXIT.ok;
      }
      say(`started ${workflowId}\n  ${link}`);
      return await followOptimizeRun(db, handle, {
        name: target.name,
        json: values.json,
        thenRollout: s.thenRollout,
        stopAtStall: options.stopAtStall,
        started,
      });
    } finally {
      await close();
    }
  } finally {
    await db.close();
  }
}

/** What a command that stops at a stall prints: the run waits, durable, and the commands that decide it. */
export function stalledHereLines(workflowId: string, name: string, reason: string | undefined): string[] {
  return [
    `[${name}] the run is awaiting a decision and nobody can give it here (CI is set, or no terminal): ` +
      `the command ends with exit ${EXIT.awaitingDecision}; the run waits, durable`,
    `  decide it by its item: ${decideCommandLine(name, reason)}`,
    `  or by its id, as above; follow it with \`refinery status ${workflowId}\``,
  ];
}

/**
 * Follows an optimizer run here (`tune --wait`, `decide --wait`): progress lines, then the outcome, and the report
 * written on this machine. With stopAtStall a stall ends the command with exit 4 and the commands that decide it.
 */
export async function followOptimizeRun(
  db: Db,
  handle: WorkflowHandle<OptimizeWorkflow>,
  opts: {
    name: string;
    json?: boolean;
    thenRollout?: boolean;
    stopAtStall?: boolean;
    /** The `since` of a stall this command just decided. */
    decidedStall?: string;
    started?: object;
  },
): Promise<number> {
  const { name, json } = opts;
  const status = await watchOptimize(
    handle,
    (line) => {
      if (!json) console.log(`[${name}] ${line}`);
    },
    { stopAtStall: opts.stopAtStall, decidedStall: opts.decidedStall },
  );
  if (status.stall && !status.outcome) {
    if (json) console.log(JSON.stringify({ ...opts.started, status, reportsWritten: [] }));
    else for (const line of stalledHereLines(handle.workflowId, name, status.stall.reason)) console.log(line);
    return EXIT.awaitingDecision;
  }
  const reports = await writeOptimizeReports(db, status);
  if (json) console.log(JSON.stringify({ ...opts.started, status, reportsWritten: reports.written }));
  else {
    console.log(`[${name}] ${status.stop ?? 'ended'}`);
    for (const line of optimizeOutcomeLines(status)) console.log(`  ${line}`);
    if (opts.thenRollout && !status.outcome?.rollout && status.outcome?.version === undefined)
      console.log('  no rollout: there is no new version to roll out');
    for (const w of status.warnings) console.log(`  warning: ${w}`);
    for (const p of reports.written) console.log(`  report: ${p}`);
    if (reports.refused) console.log(`  warning: report not written: ${reports.refused}`);
  }
  return optimizeExitCode(status);
}
