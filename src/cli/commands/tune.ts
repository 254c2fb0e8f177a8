import { parseArgs } from 'node:util';
import type { Config } from '../../config';
import { MIN_FOLDER_CASES } from '../../tune/folder-dataset';
import { OPTIMIZE_DEFAULTS } from '../optimize-input';
import { tuneDatasetCommand } from './tune-dataset';
import { tuneFolderCommand } from './tune-folder';

export const tuneHelp = `refinery tune <skill-dir>… --scenario <text|@file> [options]
  Tunes skill folders with the optimizer: each folder is pushed as a library version (named by its SKILL.md front
  matter) and its scenario and golden cases become its dataset <name>-scenario (the scenario drawn as several
  cases when there are fewer than ${MIN_FOLDER_CASES}; under ${OPTIMIZE_DEFAULTS.minCasesForSplit} cases there is no held-out evidence and a candidate
  is accepted on repeated samples). One run per skill, or one chain with --chain. Takes every option below.
  --golden <file.jsonl>        golden cases: {"input","expected"?,"assertions"?} per line
  --preset quick|standard|thorough   3 rounds/70, 5/80 (default), 8/90
  --threshold N  --max-iterations N  override the preset
  --chain                      tune the skills in order, each on the cases with the artifacts of the chosen
                               versions before it in its input (golden assertions judge the last skill)
  --execution agent|inline     agent (default): the executor gets SKILL.md and reads other files with tools, and
                               the judge sees only those; inline: every file pasted into one prompt
  --executor|--judge|--improver provider:model   e.g. anthropic:claude-sonnet-4-6, gemini:gemini-2.5-pro, openai:gpt-4.1, offline
  --decision-timeout 7d        how long a stalled run waits for \`refinery decide\`
  --output <dir>               reports go to <dir>/docs/feedbacks/cycle-YYYY-MM-DD/ (default: .)
  --dry-run                    no new version, and the skill folder is never written
  --wait                       show live progress; at the end write the chosen version into the folder and the
                               report here (without --wait: \`refinery outcome <id> --write\`); with CI set or no
                               terminal, a stall ends it with exit 4 and the \`refinery decide\` commands
  --json                       machine-readable output
refinery tune <name>[@version] --dataset <name@version> [options]
  Tunes a text prompt, chat prompt or skill of the library on a dataset (version: production, else latest).
  The cases are split (seeded, by tags) into train, validation and test; the improver reads failing training
  cases; a child is kept only if it beats its parent on validation by a paired test. The chosen candidate
  becomes one version labelled \`candidate\`. Prints the projected calls and dollars before it starts.
  Takes --preset, --threshold, --max-iterations (rounds), --executor/--judge/--improver, --execution, --decision-timeout,
  --output, --dry-run (no version), --wait, --json, --by, and:
  (with --wait, CI set or no terminal: a stall ends the command with exit 4 and the \`refinery decide\` commands)
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

/** `refinery tune`: the folder form (`<skill-dir> --scenario`) or a library item on a dataset (`<name> --dataset`), both through the optimizer. */
export async function tuneCommand(
  config: Config,
  argv: string[],
  options: { stopAtStall?: boolean } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: tuneOptions, allowPositionals: true });
  if (values.dataset !== undefined) return tuneDatasetCommand(config, positionals, values, options);
  return tuneFolderCommand(config, positionals, values, options);
}
