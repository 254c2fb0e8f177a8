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
import { CliError } from '../exit-codes';
import { OPTIMIZE_DEFAULTS, OPTIMIZE_ONLY_FLAGS } from '../optimize-input';
import { tuneDatasetCommand } from './tune-dataset';

export const tuneHelp = `refinery tune <skill-dir>… --scenario <text|@file> [options]
  Starts the execute → evaluate → improve loop (one run per skill, or one chain with --chain).
  --golden <file.jsonl>        golden cases: {"input","expected"?,"assertions"?} per line
  --preset quick|standard|thorough   3 iterations/70, 5/80 (default), 8/90
  --threshold N  --max-iterations N  override the preset
  --chain                      run the skills in order, each fed the artifacts before it
  --execution agent|inline     agent (default): the executor gets SKILL.md and reads other files with tools, and
                               the judge sees only those; inline: every file pasted into one prompt
  --executor|--judge|--improver provider:model   e.g. anthropic:claude-sonnet-4-6, gemini:gemini-2.5-pro, openai:gpt-4.1, offline
  --decision-timeout 7d        how long a stalled run waits for \`refinery decide\`
  --output <dir>               reports go to <dir>/docs/feedbacks/cycle-YYYY-MM-DD/ (default: .)
  --dry-run                    never write the skill folder
  --wait                       show live progress; at the end write the outcome into the folder and the
                               report here (without --wait: \`refinery outcome <id> --write\`)
  --json                       machine-readable output
refinery tune <name>[@version] --dataset <name@version> [options]
  Tunes a text prompt, chat prompt or skill of the library on a dataset (version: production, else latest).
  The cases are split (seeded, by tags) into train, validation and test; the improver reads failing training
  cases; a child is kept only if it beats its parent on validation by a paired test. The chosen candidate
  becomes one version labelled \`candidate\`. Prints the projected calls and dollars before it starts.
  Takes --preset, --threshold, --max-iterations (rounds), --executor/--judge/--improver, --execution, --decision-timeout,
  --output, --dry-run (no version), --wait, --json, --by, and:
  --seed N                     the split and every draw (default: drawn, and printed)
  --repeat N                   samples per judge-graded validation case where child and parent disagree (default ${OPTIMIZE_DEFAULTS.repeat})
  --alpha X                    significance of the paired test (default ${OPTIMIZE_DEFAULTS.alpha})
  --parallel N  --minibatch N  proposals per round (default ${OPTIMIZE_DEFAULTS.parallel}), training cases each (default ${OPTIMIZE_DEFAULTS.minibatch})
  --patience N                 rounds without an acceptance before the run ends converged (default ${OPTIMIZE_DEFAULTS.patience})
  --budget-calls N  --budget-usd X   executor, judge and improver calls together; the run stops when spent
  --change-lines N  --change-bytes N lines and bytes one proposal may change (default ${OPTIMIZE_DEFAULTS.changeLines}, ${OPTIMIZE_DEFAULTS.changeBytes})
  --reflection-tokens N        tokens the improver's prompt may hold (default ${OPTIMIZE_DEFAULTS.reflectionTokens})
  --validation-share X  --test-share X   held-out shares (default ${OPTIMIZE_DEFAULTS.validationShare}, ${OPTIMIZE_DEFAULTS.testShare}; no split below ${OPTIMIZE_DEFAULTS.minCasesForSplit} cases)
  --then-rollout               hand the new version to the guarded rollout (without it, --wait prints the command)`;

export const tuneOptions = {
  scenario: { type: 'string' },
  golden: { type: 'string' },
  preset: { type: 'string' },
  threshold: { type: 'string' },
  'max-iterations': { type: 'string' },
  chain: { type: 'boolean' },
  execution: { type: 'string' },
  executor: { type: 'string' },
  judge: { type: 'string' },
  improver: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'decision-timeout': { type: 'string' },
  output: { type: 'string' },
  wait: { type: 'boolean' },
  json: { type: 'boolean' },
  by: { type: 'string' },
  // `tune <name> --dataset`: the optimizer.
  dataset: { type: 'string' },
  seed: { type: 'string' },
  repeat: { type: 'string' },
  alpha: { type: 'string' },
  parallel: { type: 'string' },
  minibatch: { type: 'string' },
  patience: { type: 'string' },
  'budget-calls': { type: 'string' },
  'budget-usd': { type: 'string' },
  'change-lines': { type: 'string' },
  'change-bytes': { type: 'string' },
  'reflection-tokens': { type: 'string' },
  'validation-share': { type: 'string' },
  'test-share': { type: 'string' },
  'then-rollout': { type: 'boolean' },
} as const;

/** `refinery tune`: validate, record the originals, start, and optionally follow to the end (--dataset: the optimizer). */
export async function tuneCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: tuneOptions, allowPositionals: true });
  // --dataset names the optimizer path (`tune <name> --dataset`); the folder form below is unchanged.
  if (values.dataset !== undefined) return tuneDatasetCommand(config, positionals, values);
  const stray = OPTIMIZE_ONLY_FLAGS.find((f) => values[f] !== undefined);
  if (stray)
    throw new CliError(
      `--${stray} applies to \`refinery tune <name> --dataset <name@version>\`, not to the folder form (--scenario): drop it, or tune a library item on a dataset`,
    );
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
