import { parseArgs } from 'node:util';
import { connectClient } from '../../client';
import { startTune } from '../../clients/tune';
import type { Config } from '../../config';
import { openStore } from '../../store/open';
import { EXIT } from '../exit-codes';
import { workflowUiLink } from '../stack';
import { validateTuneInput } from '../tune-input';
import { applyTuneOutcome } from '../tune-outcome';
import { outcomeDiff, watchTune } from '../watch-tune';
import { tuneExitCode } from './tune-exit';
import { runBinding } from '../../temporal/store-binding';

export const tuneHelp = `refinery tune <skill-dir>… --scenario <text|@file> [options]
  Starts the execute → evaluate → improve loop (one run per skill, or one chain with --chain).
  --golden <file.jsonl>        golden cases: {"input","expected"?,"assertions"?} per line
  --preset quick|standard|thorough   3 iterations/70, 5/80 (default), 8/90
  --threshold N  --max-iterations N  override the preset
  --chain                      run the skills in order, each fed the artifacts before it
  --executor|--judge|--improver provider:model   e.g. anthropic:claude-sonnet-4-6, gemini:gemini-2.5-pro, offline
  --decision-timeout 7d        how long a stalled run waits for \`refinery decide\`
  --output <dir>               reports go to <dir>/docs/feedbacks/cycle-YYYY-MM-DD/ (default: .)
  --dry-run                    never write the skill folder
  --wait                       show live progress; at the end write the outcome into the folder and the
                               report here (without --wait: \`refinery outcome <id> --write\`)
  --json                       machine-readable output`;

export const tuneOptions = {
  scenario: { type: 'string' },
  golden: { type: 'string' },
  preset: { type: 'string' },
  threshold: { type: 'string' },
  'max-iterations': { type: 'string' },
  chain: { type: 'boolean' },
  executor: { type: 'string' },
  judge: { type: 'string' },
  improver: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'decision-timeout': { type: 'string' },
  output: { type: 'string' },
  wait: { type: 'boolean' },
  json: { type: 'boolean' },
  by: { type: 'string' },
} as const;

/** `refinery tune`: validate, record the originals, start, and optionally follow to the end. */
export async function tuneCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: tuneOptions, allowPositionals: true });
  const tune = validateTuneInput(positionals, values);
  const db = await openStore(config.databaseUrl);
  const { client, close } = await connectClient(config);
  try {
    const { taskQueue } = await runBinding(config, db);
    const started = await startTune(client, db, taskQueue, tune, { startedBy: values.by });
    if (values.json && !values.wait) {
      console.log(
        JSON.stringify(
          started.map((s) => ({
            workflowId: s.workflowId,
            skills: s.skills,
            link: workflowUiLink(config, s.workflowId),
          })),
        ),
      );
      return EXIT.ok;
    }
    for (const s of started)
      if (!values.json) console.log(`started ${s.workflowId}\n  ${workflowUiLink(config, s.workflowId)}`);
    if (!values.wait) return EXIT.ok;

    let code: number = EXIT.ok;
    const results = [];
    for (const s of started) {
      const status = await watchTune(
        s.handle,
        (line) => !values.json && console.log(`[${s.skills.join('+')}] ${line}`),
      );
      // The worker wrote nothing on this machine: the folder and the report are written here, from the store.
      const applied = await applyTuneOutcome(db, status, { write: true });
      results.push({ workflowId: s.workflowId, ...status, applied });
      code = Math.max(code, tuneExitCode(status));
      if (!values.json) {
        const diff = await outcomeDiff(db, status);
        console.log(
          `[${s.skills.join('+')}] ${status.termination}: best score ${status.outcome?.bestScore} at iteration ${status.outcome?.bestIteration}; assertiveness ${status.outcome?.assertiveness}`,
        );
        for (const w of status.warnings) console.log(`  warning: ${w}`);
        if (applied.folders.some((f) => f.written)) console.log(`  written back to the skill folder:\n${diff}`);
        else if (diff)
          console.log(
            `  not written (${tune.settings.dryRun ? 'dry run' : applied.folders.some((f) => f.refused) ? 'refused' : status.termination}); the diff would be:\n${diff}`,
          );
        for (const f of applied.folders)
          if (f.refused) console.log(`  warning: write-back of ${f.skill} refused: ${f.refused}`);
        for (const p of applied.reportPaths) console.log(`  report: ${p}`);
        console.log(
          `  was it effective? refinery review tune ${s.workflowId} --effective yes|no --better "what would have made it better"`,
        );
      }
    }
    if (values.json) console.log(JSON.stringify(results));
    return code;
  } finally {
    await close();
    await db.close();
  }
}
