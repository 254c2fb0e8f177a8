import { SIGNAL_SPECS, type AlertSignal, type SignalSpec } from '../alerts/alert-rules';
import type { QualitySignals } from '../shared/quality-signal-store';

/**
 * The weekly quality trend review (reference 001): each signal over the last 7 days against the 7 days
 * before, per production version. A trend is negative only when the change is both significant (a
 * two-sample z-test, so a quiet week's noise does not read as a trend) and large enough to act on.
 */
export interface TrendPolicy {
  /** Both weeks need this many samples of the signal; otherwise the trend is not judged. */
  minSamples: number;
  /** Two-sample z at or beyond which a change in a rate counts. */
  z: number;
  /** Relative change of the bad side (failures, corrections, errors, thumbs-down) that is worth an action. */
  minRelativeChange: number;
  /** Relative change of the mean output tokens, either way, that counts as drift. */
  tokenDrift: number;
}

// Weekly windows hold about seven times the daily samples, so z = 3 is already a rare event for a stable
// prompt (5 signals × 52 weeks ≈ 1 false trend in 3 years); the 20 % floor keeps tiny but "significant"
// shifts of high-volume prompts out of the action items.
export const DEFAULT_TREND_POLICY: TrendPolicy = { minSamples: 50, z: 3, minRelativeChange: 0.2, tokenDrift: 0.1 };

export type TrendDirection = 'negative' | 'positive' | 'stable' | 'too-few-samples';

export interface Trend {
  signal: AlertSignal;
  label: string;
  previous: number | null;
  current: number | null;
  samples: { previous: number; current: number };
  /** Rates: relative change of the bad side; tokens: relative change of the mean. */
  relativeChange: number | null;
  z: number | null;
  direction: TrendDirection;
}

/** A quality signal as the weekly review reads it: worse 0 means drift either way is worse. */
type TrendSpec = Omit<SignalSpec, 'worse'> & { worse: 1 | -1 | 0 };

// The four signals reference 001 names for the weekly review, plus thumbs-down (the daily review's too).
// Token drift has no good direction here: more tokens cost more, far fewer often means truncated answers.
const SPECS: TrendSpec[] = SIGNAL_SPECS.map((spec) => ({ ...spec, worse: spec.proportion ? spec.worse : 0 }));

const round = (x: number, places = 4) => Math.round(x * 10 ** places) / 10 ** places;

/** Week over week for one version: `current` is the last 7 days, `previous` the 7 days before. */
export function weekOverWeek(
  current: QualitySignals,
  previous: QualitySignals,
  policy: TrendPolicy = DEFAULT_TREND_POLICY,
): Trend[] {
  return SPECS.map((spec) => {
    const cur = spec.value(current);
    const prev = spec.value(previous);
    const samples = { previous: spec.samples(previous), current: spec.samples(current) };
    const trend: Trend = {
      signal: spec.signal,
      label: spec.label,
      previous: prev,
      current: cur,
      samples,
      relativeChange: null,
      z: null,
      direction: 'too-few-samples',
    };
    if (cur === null || prev === null || samples.current < policy.minSamples || samples.previous < policy.minSamples)
      return trend;
    if (spec.worse === 0) {
      const relative = prev === 0 ? (cur === 0 ? 0 : Infinity) : (cur - prev) / prev;
      trend.relativeChange = round(relative);
      trend.direction = Math.abs(relative) >= policy.tokenDrift ? 'negative' : 'stable';
      return trend;
    }
    // Work on the bad side (failure, correction, error, thumbs-down), so "up" is always worse.
    const bad = (p: number) => (spec.worse === 1 ? p : 1 - p);
    const [b0, b1] = [bad(prev), bad(cur)];
    const pooled = Math.min(
      0.99,
      Math.max(0.01, (b0 * samples.previous + b1 * samples.current) / (samples.previous + samples.current)),
    );
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / samples.previous + 1 / samples.current));
    const z = (b1 - b0) / se;
    const relative = b0 === 0 ? (b1 === 0 ? 0 : Infinity) : (b1 - b0) / b0;
    trend.z = round(z, 2);
    trend.relativeChange = Number.isFinite(relative) ? round(relative) : null;
    if (z >= policy.z && relative >= policy.minRelativeChange) trend.direction = 'negative';
    else if (z <= -policy.z && relative <= -policy.minRelativeChange) trend.direction = 'positive';
    else trend.direction = 'stable';
    return trend;
  });
}

export interface PromptTrends {
  name: string;
  version: number;
  /** The library item's owner: who gets the action items. */
  owner: string | null;
  volume: { previous: number; current: number };
  trends: Trend[];
}

export interface ActionItem {
  name: string;
  version: number;
  signal: AlertSignal;
  owner: string | null;
  text: string;
}

const show = (signal: AlertSignal, x: number | null) =>
  x === null ? 'n/a' : signal === 'output-token-drift' ? String(x) : `${round(x * 100, 2)} %`;

// What to look at first for each signal; the owner decides the fix (tune, roll back, or a data fix).
const NEXT_STEP: Record<AlertSignal, string> = {
  'format-compliance':
    'read the outputs that failed the format check and tighten the output contract (schema, examples)',
  'correction-rate': 'read what users corrected: the corrections are the next golden cases',
  'error-rate': 'check the downstream errors (parsing, provider, timeouts) before changing the prompt',
  'thumbs-down-rate': 'read the thumbs-down feedback and add the failures to the golden dataset',
  'output-token-drift': 'compare recent outputs with last week (verbosity, truncation, changed inputs)',
};

/** One action item per negative trend: what moved, by how much, and the first thing to look at. */
export function actionItemsFor(p: PromptTrends): ActionItem[] {
  return p.trends
    .filter((t) => t.direction === 'negative')
    .map((t) => {
      const moved =
        t.signal === 'output-token-drift'
          ? (t.current ?? 0) >= (t.previous ?? 0)
            ? 'grew'
            : 'shrank'
          : t.signal === 'format-compliance'
            ? 'fell'
            : 'rose';
      const z = t.z === null ? '' : `, z = ${t.z}`;
      return {
        name: p.name,
        version: p.version,
        signal: t.signal,
        owner: p.owner,
        text: `${p.name} v${p.version}: ${t.label} ${moved} from ${show(t.signal, t.previous)} to ${show(t.signal, t.current)} week over week (${t.samples.current} samples${z}). Next: ${NEXT_STEP[t.signal]}; then tune or roll back.`,
      };
    });
}

/** Counts of a week's trends across prompts. */
export function trendCounts(prompts: PromptTrends[]) {
  const all = prompts.flatMap((p) => p.trends);
  return {
    prompts: prompts.length,
    negativeTrends: all.filter((t) => t.direction === 'negative').length,
    positiveTrends: all.filter((t) => t.direction === 'positive').length,
    promptsWithNegativeTrends: prompts.filter((p) => p.trends.some((t) => t.direction === 'negative')).length,
  };
}
