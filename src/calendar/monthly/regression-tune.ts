import type { EvalCase } from '../../eval/types';
import { IMPROVE_DEFAULTS } from '../../improve/defaults';
import { improveInputProblem } from '../../improve/plan';
import type { ImproveInput } from '../../improve/types';
import { defaultOptimizeTune } from '../../optimizer/defaults';
import { DEFAULT_BAKE_MS, DEFAULT_INTERVAL_MS, DEFAULT_STEPS } from '../../rollout/plan';
import { DEFAULT_THRESHOLD } from '../../rollout/start';
import { goldenCaseSchema, type GoldenCase } from '../../tune/golden';
import { PRESETS } from '../../tune/presets';
import type { TuneSettings } from '../../tune/types';
import type { Regression } from './monthly-types';

/**
 * How the monthly run turns a regression into a tune run (the policy `tuneOnRegression`, default on).
 *
 * The tune loop edits skills (a folder with SKILL.md), so a regressed skill gets one; a regressed text or
 * chat prompt goes through `refinery improve` instead (regressionImproveInput). The tune starts from the production version, runs on a scenario
 * naming the regression and on the dataset's cases (those that failed this month first). It has no folder:
 * its outcome is a version in the store (never a label move) and its report a stored blob; the owner
 * writes it into a folder with `refinery outcome <id> --write --dir <folder>` and ships the best version
 * through the usual gate and rollout.
 */

/** Golden cases handed to the tune: each one is run every iteration, so a few that matter most. */
export const MAX_TUNE_CASES = 10;

export const tuneWorkflowId = (calendarRunId: string, name: string) => `${calendarRunId}-tune-${name}`;

export function regressionScenario(r: Regression, asOf: string): string {
  const was = r.previousPassRate === undefined ? '' : ` (last month ${Math.round(r.previousPassRate * 1000) / 10}%)`;
  return [
    `The monthly golden re-run of ${asOf.slice(0, 10)} found that "${r.name}" v${r.version} regressed on its golden dataset ${r.dataset} v${r.datasetVersion}.`,
    `Pass rate ${Math.round(r.passRate * 1000) / 10}%${was}. ${r.reasons.join('; ')}.`,
    'Carry out the skill on the golden inputs so that every case passes its assertions again, without dropping what already works.',
  ].join('\n');
}

/**
 * The dataset's cases in the tune's golden format: input (the `input` field, else the variables),
 * expected, and the assertions the tune can check (it has no judge or JavaScript assertions).
 * Failed cases first, then the rest, up to MAX_TUNE_CASES.
 */
export function tuneGoldenCases(cases: EvalCase[], failedIds: ReadonlySet<string>, max = MAX_TUNE_CASES): GoldenCase[] {
  const ordered = [...cases.filter((c) => failedIds.has(c.id)), ...cases.filter((c) => !failedIds.has(c.id))];
  const out: GoldenCase[] = [];
  for (const c of ordered) {
    if (out.length >= max) break;
    const input = c.input ?? (typeof c.vars.input === 'string' ? c.vars.input : JSON.stringify(c.vars));
    const parsed = goldenCaseSchema.safeParse({
      input,
      ...(c.expected !== undefined ? { expected: c.expected } : {}),
      assertions: [],
    });
    if (!parsed.success) continue;
    const assertions = c.assertions.flatMap((a) => {
      const one = goldenCaseSchema.shape.assertions.safeParse([a]);
      return one.success ? one.data : [];
    });
    out.push({ ...parsed.data, assertions });
  }
  return out;
}

/** Settings of a regression tune: the standard preset, the calendar's provider for every role. */
export function regressionTuneSettings(provider: 'auto' | 'anthropic' | 'gemini' | 'openai' | 'offline'): TuneSettings {
  const model = { provider, model: 'default' };
  return {
    ...PRESETS.standard,
    maxConsecutiveErrors: 3,
    chain: false,
    dryRun: false,
    executor: model,
    judge: model,
    improver: model,
    // A stalled tune waits a week for its owner, as one started from the CLI does.
    decisionTimeoutMs: 7 * 86_400_000,
  };
}

/** Unique per monthly run: the improve run's stored steps and children are keyed by it. */
export const regressionImproveRunId = (calendarRunId: string, name: string) => `${calendarRunId}-improve-${name}`;

/**
 * The improve run of a regressed text or chat prompt: no harvest and no review wait (a month's regression is
 * measured on the golden dataset, which the tune uses unless reviewed cases are waiting to be published), then
 * tune → gate against production → the owner's approval → guarded rollout → a week's post-rollout check.
 */
export function regressionImproveInput(
  r: Regression,
  runId: string,
  provider: 'auto' | 'anthropic' | 'gemini' | 'openai' | 'offline',
  startedBy: string,
  // The split is drawn per run, as `refinery improve` draws it; the proposals' draws are fixed (seed 1).
  splitSeed = Math.floor(Math.random() * 2 ** 31),
): ImproveInput {
  const model = { provider, model: 'default' };
  const tune = defaultOptimizeTune(splitSeed);
  const input: ImproveInput = {
    runId,
    name: r.name,
    fallbackDataset: { name: r.dataset, version: r.datasetVersion },
    reviewTimeoutMs: IMPROVE_DEFAULTS.reviewTimeoutMs,
    approvalTimeoutMs: IMPROVE_DEFAULTS.approvalTimeoutMs,
    tune: {
      split: tune.split,
      settings: { ...tune.settings, executor: model, judge: model, improver: model, seed: 1 },
    },
    gate: { passRateThreshold: DEFAULT_THRESHOLD },
    rollout: { steps: DEFAULT_STEPS, bakeMs: DEFAULT_BAKE_MS, evaluationIntervalMs: DEFAULT_INTERVAL_MS },
    // A month's regression is checked over a week after promotion, not a day.
    check: { windowMs: 7 * 86_400_000, minSamples: IMPROVE_DEFAULTS.checkMinSamples },
    skip: ['harvest', 'review'],
    startedBy,
  };
  const bad = improveInputProblem(input);
  if (bad) throw new Error(`the regression of ${r.name} makes no valid improve run: ${bad}`);
  return input;
}
