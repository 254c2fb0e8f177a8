import fs from 'node:fs';
import path from 'node:path';
import { resolveLabel } from '../library/label-store';
import { LibraryError } from '../library/errors';
import { getContent, nameProblem, requireItem, requireVersion } from '../library/versions';
import type { OptimizeInput, SplitSettings } from '../optimizer/types';
import type { Db } from '../store/db';
import { getDataset } from '../store/evals';
import { parseModelChoice } from '../tune/model-choice';
import { resolvePreset } from '../tune/presets';
import { parseDuration } from './duration';
import { CliError } from './exit-codes';
import { executionFlag } from './tune-input';
import { OPTIMIZE_DEFAULTS } from '../optimizer/defaults';

export { OPTIMIZE_DEFAULTS } from '../optimizer/defaults';

/** The flags of `tune <name> --dataset` as parseArgs gives them. */
export interface OptimizeFlags {
  dataset?: string;
  preset?: string;
  threshold?: string;
  'max-iterations'?: string;
  executor?: string;
  judge?: string;
  improver?: string;
  execution?: string;
  'decision-timeout'?: string;
  output?: string;
  'dry-run'?: boolean;
  seed?: string;
  repeat?: string;
  alpha?: string;
  parallel?: string;
  minibatch?: string;
  patience?: string;
  'budget-calls'?: string;
  'budget-usd'?: string;
  'change-lines'?: string;
  'change-bytes'?: string;
  'reflection-tokens'?: string;
  'validation-share'?: string;
  'test-share'?: string;
  'then-rollout'?: boolean;
  // The folder form's own flags: refused here, with the reason.
  scenario?: string;
  golden?: string;
  chain?: boolean;
}

/** The command line checked and turned into settings; the store is not read yet. */
export interface ParsedOptimize {
  target: { name: string; version?: number };
  dataset: { name: string; version?: number };
  split: SplitSettings;
  settings: OptimizeInput['settings'];
  /** The seed was drawn (no --seed): the output says which, so the run can be repeated. */
  seedDrawn: boolean;
}

/** A number flag, or a CliError naming the flag, the value and what it must be. */
function num(
  value: string | undefined,
  flag: string,
  r: { min: number; max: number; int?: boolean; minExclusive?: boolean; what: string },
): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  const low = r.minExclusive ? n <= r.min : n < r.min;
  if (!Number.isFinite(n) || low || n > r.max || (r.int && !Number.isInteger(n))) {
    const range = r.minExclusive ? `above ${r.min} and at most ${r.max}` : `from ${r.min} to ${r.max}`;
    throw new CliError(`${flag} ${value}: expected ${r.int ? 'a whole number' : 'a number'} ${range} (${r.what})`);
  }
  return n;
}

/** `name` or `name@v` (v a version number). */
function nameAt(text: string, flag: string, example: string): { name: string; version?: number } {
  const at = text.lastIndexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  const v = at === -1 ? undefined : text.slice(at + 1);
  const problem = nameProblem(name);
  if (problem) throw new CliError(`${flag} ${text}: ${problem} (as ${example})`);
  if (v === undefined) return { name };
  const version = Number(v);
  if (!v || !Number.isInteger(version) || version < 1)
    throw new CliError(`${flag} ${text}: the version after "@" must be a version number (1, 2, …), as ${example}`);
  return { name, version };
}

/**
 * Checks the command line of `refinery tune <name>[@v] --dataset <name@v>` before the store is opened:
 * every bad value is a CliError naming the flag, the value and the fix, and nothing has started.
 */
export function parseOptimizeFlags(
  positionals: string[],
  flags: OptimizeFlags,
  opts: { cwd?: string; drawSeed?: () => number } = {},
): ParsedOptimize {
  const cwd = opts.cwd ?? process.cwd();
  if (flags.scenario !== undefined || flags.golden !== undefined || flags.chain)
    throw new CliError(
      `${flags.scenario !== undefined ? '--scenario' : flags.golden !== undefined ? '--golden' : '--chain'} belongs to the folder form ` +
        "(refinery tune <skill-dir> --scenario …); with --dataset the dataset's cases are the scenarios: drop it, or drop --dataset",
    );
  if (positionals.length === 0)
    throw new CliError('name the prompt or skill to tune: refinery tune <name>[@version] --dataset <name@version>');
  if (positionals.length > 1)
    throw new CliError(
      `tune --dataset takes one library item, got ${positionals.length} (${positionals.join(', ')}): start one run per item`,
    );
  const item = positionals[0]!;
  // A path typed where a library name belongs: say how to get it into the library.
  if (nameProblem(item.replace(/@[^@]*$/, '')) && fs.existsSync(path.resolve(cwd, item)))
    throw new CliError(
      `tune ${item}: --dataset tunes a library item, and ${item} is a path: push it first with ` +
        `\`refinery push ${item} --why "…"\` and tune it by the name that prints (or tune the folder as it is with --scenario)`,
    );
  const target = nameAt(item, 'tune', '<name> or <name>@<version>');
  if (!flags.dataset) throw new CliError('--dataset needs a value: the golden cases to tune on, as <name>@<version>');
  const dataset = nameAt(flags.dataset, '--dataset', '<name>@<version>');

  return { target, dataset, ...parseOptimizeSettings(flags, { cwd, drawSeed: opts.drawSeed }) };
}

/**
 * The optimizer's settings from the flags both forms take (`tune <name> --dataset` and the folder form): every
 * bad value is a CliError naming the flag, the value and the fix.
 */
export function parseOptimizeSettings(
  flags: OptimizeFlags,
  opts: { cwd: string; drawSeed?: () => number },
): Omit<ParsedOptimize, 'target' | 'dataset'> {
  const { cwd } = opts;
  let preset;
  try {
    preset = resolvePreset(flags.preset, {
      threshold: num(flags.threshold, '--threshold', {
        min: 0,
        max: 101,
        int: true,
        what: 'the validation mean, 0 to 100, that ends the run; 101 never does',
      }),
      maxIterations: num(flags['max-iterations'], '--max-iterations', {
        min: 1,
        max: 500,
        int: true,
        what: 'rounds of proposals at most',
      }),
    });
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`--preset ${flags.preset}: use quick, standard or thorough`);
  }
  const model = (text: string | undefined, flag: string) => {
    try {
      return parseModelChoice(text ?? 'auto', flag);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  };
  let decisionTimeoutMs: number = OPTIMIZE_DEFAULTS.decisionTimeoutMs;
  if (flags['decision-timeout'] !== undefined) {
    try {
      decisionTimeoutMs = parseDuration(flags['decision-timeout'], '--decision-timeout');
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (decisionTimeoutMs < 1000)
      throw new CliError(`--decision-timeout ${flags['decision-timeout']}: give a person at least 1s, e.g. 1h or 7d`);
  }

  const given = num(flags.seed, '--seed', { min: 0, max: 2 ** 31 - 1, int: true, what: 'the split and draws' });
  const seed = given ?? (opts.drawSeed ?? (() => Math.floor(Math.random() * 2 ** 31)))();
  const validationShare =
    num(flags['validation-share'], '--validation-share', {
      min: 0,
      max: 0.9,
      minExclusive: true,
      what: 'the share of cases held out for acceptance, e.g. 0.4',
    }) ?? OPTIMIZE_DEFAULTS.validationShare;
  const testShare =
    num(flags['test-share'], '--test-share', {
      min: 0,
      max: 0.9,
      what: 'the share of cases held out for the final test, 0 for none',
    }) ?? OPTIMIZE_DEFAULTS.testShare;
  if (validationShare + testShare >= 1)
    throw new CliError(
      `--validation-share ${validationShare} plus --test-share ${testShare} leave no training cases: keep their sum below 1 (e.g. 0.4 and 0.2)`,
    );

  const budgetCalls = num(flags['budget-calls'], '--budget-calls', {
    min: 1,
    max: 10_000_000,
    int: true,
    what: 'executor, judge and improver calls together',
  });
  const budgetUsd = num(flags['budget-usd'], '--budget-usd', {
    min: 0,
    max: 1_000_000,
    minExclusive: true,
    what: 'dollars for executor, judge and improver calls together, e.g. 5 or 0.5',
  });
  const dryRun = Boolean(flags['dry-run']);
  const thenRollout = Boolean(flags['then-rollout']);
  if (dryRun && thenRollout)
    throw new CliError(
      '--then-rollout with --dry-run: a dry run makes no version to roll out; drop one of the two flags',
    );

  return {
    seedDrawn: given === undefined,
    split: { seed, validationShare, testShare, minCasesForSplit: OPTIMIZE_DEFAULTS.minCasesForSplit },
    settings: {
      seed,
      minibatchSize:
        num(flags.minibatch, '--minibatch', { min: 1, max: 100, int: true, what: 'training cases per proposal' }) ??
        OPTIMIZE_DEFAULTS.minibatch,
      repeat:
        num(flags.repeat, '--repeat', {
          min: 1,
          max: 20,
          int: true,
          what: 'samples per judge-graded validation case',
        }) ?? OPTIMIZE_DEFAULTS.repeat,
      alpha:
        num(flags.alpha, '--alpha', {
          min: 0,
          max: 0.5,
          minExclusive: true,
          what: 'the significance of the paired test, e.g. 0.05',
        }) ?? OPTIMIZE_DEFAULTS.alpha,
      parallel:
        num(flags.parallel, '--parallel', { min: 1, max: 16, int: true, what: 'proposals per round' }) ??
        OPTIMIZE_DEFAULTS.parallel,
      maxRounds: preset.maxIterations,
      threshold: preset.threshold,
      patience:
        num(flags.patience, '--patience', {
          min: 1,
          max: 100,
          int: true,
          what: 'rounds in a row without an acceptance before the run ends as converged',
        }) ?? OPTIMIZE_DEFAULTS.patience,
      budget: {
        ...(budgetCalls === undefined ? {} : { calls: budgetCalls }),
        ...(budgetUsd === undefined ? {} : { usd: budgetUsd }),
      },
      executor: model(flags.executor, '--executor'),
      judge: model(flags.judge, '--judge'),
      improver: model(flags.improver, '--improver'),
      ...(flags.execution === undefined ? {} : { execution: executionFlag(flags.execution) }),
      changeBudget: {
        lines:
          num(flags['change-lines'], '--change-lines', {
            min: 1,
            max: 10_000,
            int: true,
            what: 'lines a proposal may add and remove',
          }) ?? OPTIMIZE_DEFAULTS.changeLines,
        bytes:
          num(flags['change-bytes'], '--change-bytes', {
            min: 1,
            max: 1_000_000,
            int: true,
            what: 'bytes a proposal may change',
          }) ?? OPTIMIZE_DEFAULTS.changeBytes,
      },
      reflectionTokens:
        num(flags['reflection-tokens'], '--reflection-tokens', {
          min: 500,
          max: 200_000,
          int: true,
          what: 'tokens the improver prompt may hold',
        }) ?? OPTIMIZE_DEFAULTS.reflectionTokens,
      decisionTimeoutMs,
      dryRun,
      thenRollout,
      outputDir: path.resolve(cwd, flags.output ?? '.'),
    },
  };
}

/** The item, version and dataset the run tunes, as found in the store. */
export interface ResolvedOptimizeTarget {
  target: OptimizeInput['target'];
  dataset: OptimizeInput['dataset'];
  /** Which version was picked: the one named, the `production` label, or the latest. */
  versionSource: 'named' | 'production' | 'latest';
  caseCount: number;
}

/**
 * Finds the item, the version to tune (named, else `production`, else latest) and the dataset in the store.
 * A missing one is a CliError naming the command that makes it.
 */
export async function resolveOptimizeTarget(
  db: Db,
  parsed: Pick<ParsedOptimize, 'target' | 'dataset'>,
  cwd = process.cwd(),
): Promise<ResolvedOptimizeTarget> {
  const { name } = parsed.target;
  try {
    await requireItem(db, name);
  } catch (err) {
    if (!(err instanceof LibraryError)) throw err;
    const onDisk = fs.existsSync(path.resolve(cwd, name));
    throw new CliError(
      onDisk
        ? `no prompt or skill named "${name}" in the library, though ${name} is on disk: push it first with ` +
            `\`refinery push ${name} --why "…"\` (or tune the folder as it is: \`refinery tune ${name} --scenario …\`)`
        : `no prompt or skill named "${name}" in the library: push it with \`refinery push <dir|file> --name ${name} --why "…"\``,
    );
  }
  let version: number;
  let versionSource: ResolvedOptimizeTarget['versionSource'];
  try {
    if (parsed.target.version !== undefined) {
      version = (await requireVersion(db, name, parsed.target.version)).version;
      versionSource = 'named';
    } else {
      const production = await resolveLabel(db, name, 'production').catch(() => undefined);
      versionSource = production === undefined ? 'latest' : 'production';
      version = production ?? (await resolveLabel(db, name, 'latest'));
    }
  } catch (err) {
    if (err instanceof LibraryError)
      throw new CliError(
        `${err.message}: pick one with \`refinery tune ${name}@<version>\` (\`refinery log ${name}\`)`,
      );
    throw err;
  }
  const content = await getContent(db, name, { version });

  const ds = parsed.dataset;
  const found = await getDataset(db, ds.name, ds.version);
  if (!found) {
    const newest = ds.version === undefined ? undefined : await getDataset(db, ds.name);
    throw new CliError(
      newest
        ? `dataset ${ds.name} has no version ${ds.version}: versions are 1 to ${newest.version} (\`refinery dataset show ${ds.name}\`)`
        : `no dataset named "${ds.name}" in the store: import one with \`refinery dataset add ${ds.name} <file.jsonl> --for ${name}\``,
    );
  }
  if (found.caseCount === 0)
    throw new CliError(`dataset ${ds.name}@${found.version} has no cases: add some with \`refinery dataset add\``);
  return {
    target: { name, version, kind: content.type },
    dataset: { name: found.name, version: found.version },
    versionSource,
    caseCount: found.caseCount,
  };
}

/** The workflow's one argument. */
export function buildOptimizeInput(
  parsed: ParsedOptimize,
  resolved: ResolvedOptimizeTarget,
  runId: string,
  startedBy: string,
): OptimizeInput {
  return {
    runId,
    target: resolved.target,
    dataset: resolved.dataset,
    split: parsed.split,
    settings: parsed.settings,
    startedBy,
  };
}
