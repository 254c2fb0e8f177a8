import { nameProblem } from '../library/versions';
import { IMPROVE_DEFAULTS } from '../improve/defaults';
import { improveInputProblem } from '../improve/plan';
import { IMPROVE_STEPS, type ImproveInput, type ImproveStep } from '../improve/types';
import { DEFAULT_BAKE_MS, DEFAULT_INTERVAL_MS, DEFAULT_STEPS } from '../rollout/plan';
import { DEFAULT_THRESHOLD } from '../rollout/start';
import { parseDuration } from './duration';
import { CliError } from './exit-codes';
import { parseOptimizeFlags, type OptimizeFlags } from './optimize-input';

export { IMPROVE_DEFAULTS } from '../improve/defaults';

/** The flags of `refinery improve <name>` as parseArgs gives them. */
export interface ImproveFlags {
  dataset?: string;
  'review-timeout'?: string;
  'approval-timeout'?: string;
  'check-window'?: string;
  'check-min-samples'?: string;
  'gate-threshold'?: string;
  steps?: string;
  bake?: string;
  interval?: string;
  'min-samples'?: string;
  skip?: string;
  limit?: string;
  // The optimizer's flags, as `refinery tune --dataset` takes them.
  preset?: string;
  threshold?: string;
  'max-iterations'?: string;
  executor?: string;
  judge?: string;
  improver?: string;
  seed?: string;
  parallel?: string;
  repeat?: string;
  'budget-calls'?: string;
  'budget-usd'?: string;
}

const duration = (v: string | undefined, flag: string, dflt: number) => {
  if (v === undefined) return dflt;
  try {
    return parseDuration(v, flag);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
};

const count = (v: string | undefined, flag: string, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} ${v}: expected a whole number ≥ ${min}`);
  return n;
};

/** The command line checked and turned into the workflow's input; the store is not read. */
export function buildImproveInput(name: string, flags: ImproveFlags, runId: string, startedBy: string): ImproveInput {
  const problem = nameProblem(name);
  if (problem) throw new CliError(`refinery improve ${name}: ${problem}`);
  const tuneFlags: OptimizeFlags = {
    preset: flags.preset,
    threshold: flags.threshold,
    'max-iterations': flags['max-iterations'],
    executor: flags.executor,
    judge: flags.judge,
    improver: flags.improver,
    seed: flags.seed,
    parallel: flags.parallel,
    repeat: flags.repeat,
    'budget-calls': flags['budget-calls'],
    'budget-usd': flags['budget-usd'],
    // The dataset is the review's new version, known only later; the parse needs one to check the rest.
    dataset: name,
  };
  const parsed = parseOptimizeFlags([name], tuneFlags);
  const steps =
    flags.steps === undefined
      ? DEFAULT_STEPS
      : flags.steps.split(',').map((s) => {
          const n = Number(s.trim());
          if (!Number.isInteger(n) || n < 1 || n > 100)
            throw new CliError(`--steps ${flags.steps}: give percentages from 1 to 100, as 1,10,50,100`);
          return n;
        });
  const skip = (flags.skip ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (!(IMPROVE_STEPS as readonly string[]).includes(s))
        throw new CliError(`--skip ${flags.skip}: "${s}" is no step; steps are ${IMPROVE_STEPS.join(', ')}`);
      return s as ImproveStep;
    });
  const gate = flags['gate-threshold'] === undefined ? DEFAULT_THRESHOLD : Number(flags['gate-threshold']);
  const minSamples = count(flags['min-samples'], '--min-samples', 1);
  const input: ImproveInput = {
    runId,
    name,
    ...(flags.dataset ? { dataset: flags.dataset } : {}),
    ...(flags.limit !== undefined ? { harvestLimit: count(flags.limit, '--limit', 0) } : {}),
    reviewTimeoutMs: duration(flags['review-timeout'], '--review-timeout', IMPROVE_DEFAULTS.reviewTimeoutMs),
    approvalTimeoutMs: duration(flags['approval-timeout'], '--approval-timeout', IMPROVE_DEFAULTS.approvalTimeoutMs),
    tune: {
      split: parsed.split,
      settings: { ...parsed.settings, thenRollout: false, outputDir: undefined },
    },
    gate: { passRateThreshold: gate },
    rollout: {
      steps,
      bakeMs: duration(flags.bake, '--bake', DEFAULT_BAKE_MS),
      evaluationIntervalMs: duration(flags.interval, '--interval', DEFAULT_INTERVAL_MS),
      ...(minSamples !== undefined ? { minSamples } : {}),
    },
    check: {
      windowMs: duration(flags['check-window'], '--check-window', IMPROVE_DEFAULTS.checkWindowMs),
      minSamples: count(flags['check-min-samples'], '--check-min-samples', 1) ?? IMPROVE_DEFAULTS.checkMinSamples,
    },
    ...(skip.length ? { skip } : {}),
    startedBy,
  };
  const bad = improveInputProblem(input);
  if (bad) throw new CliError(`refinery improve ${name}: ${bad}`);
  return input;
}
