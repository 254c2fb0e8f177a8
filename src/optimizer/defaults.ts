import { resolvePreset } from '../tune/presets';
import { DEFAULT_SPLIT } from './split';
import type { OptimizeInput } from './types';

/**
 * Defaults of the optimizer (`refinery tune <name> --dataset`, and the runs the calendar and `refinery improve`
 * start). The split shares match the engine's DEFAULT_SPLIT (src/optimizer/split.ts): 40 % validation, 20 % test,
 * no split below 12 cases.
 */
export const OPTIMIZE_DEFAULTS = {
  repeat: 3,
  alpha: 0.05,
  parallel: 2,
  minibatch: 4,
  patience: 3,
  changeLines: 40,
  changeBytes: 4000,
  reflectionTokens: 12_000,
  validationShare: DEFAULT_SPLIT.validationShare,
  testShare: DEFAULT_SPLIT.testShare,
  minCasesForSplit: DEFAULT_SPLIT.minCasesForSplit,
  decisionTimeoutMs: 7 * 86_400_000,
} as const;

/**
 * The split and settings of a run given no flags: the standard preset, every default above, models picked by the
 * worker's keys (`auto`), no budget, no output folder. What the CLI's parse yields for no flags (a test pins it), for
 * the runs no command line starts.
 */
export function defaultOptimizeTune(seed: number): Pick<OptimizeInput, 'split' | 'settings'> {
  const preset = resolvePreset(undefined, {});
  const auto = { provider: 'auto' as const, model: 'default' };
  return {
    split: {
      seed,
      validationShare: OPTIMIZE_DEFAULTS.validationShare,
      testShare: OPTIMIZE_DEFAULTS.testShare,
      minCasesForSplit: OPTIMIZE_DEFAULTS.minCasesForSplit,
    },
    settings: {
      seed,
      minibatchSize: OPTIMIZE_DEFAULTS.minibatch,
      repeat: OPTIMIZE_DEFAULTS.repeat,
      alpha: OPTIMIZE_DEFAULTS.alpha,
      parallel: OPTIMIZE_DEFAULTS.parallel,
      maxRounds: preset.maxIterations,
      threshold: preset.threshold,
      patience: OPTIMIZE_DEFAULTS.patience,
      budget: {},
      executor: auto,
      judge: auto,
      improver: auto,
      changeBudget: { lines: OPTIMIZE_DEFAULTS.changeLines, bytes: OPTIMIZE_DEFAULTS.changeBytes },
      reflectionTokens: OPTIMIZE_DEFAULTS.reflectionTokens,
      decisionTimeoutMs: OPTIMIZE_DEFAULTS.decisionTimeoutMs,
      dryRun: false,
      thenRollout: false,
      outputDir: undefined,
    },
  };
}
