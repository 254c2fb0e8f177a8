import { ALL_SIGNALS } from './measurements';
import type { ArmCounts, GuardPolicy, SignalName } from './types';

export const DEFAULT_GUARD_POLICY: GuardPolicy = Object.freeze({
  alpha: 0.05,
  minSamples: 100,
  minRelativeIncrease: 0.2,
  minAbsoluteIncrease: 0.01,
  signals: [...ALL_SIGNALS],
});

export interface ResolvedPolicy extends GuardPolicy {
  signals: SignalName[];
}

/**
 * Fills gaps from the defaults (an explicit `undefined` counts as a gap, so spreading a partially
 * filled config object cannot silently erase a default) and rejects values that would make the
 * guard meaningless rather than guessing at what was meant.
 */
export function resolvePolicy(policy: Partial<GuardPolicy> = {}): ResolvedPolicy {
  const alpha = policy.alpha ?? DEFAULT_GUARD_POLICY.alpha;
  const minSamples = policy.minSamples ?? DEFAULT_GUARD_POLICY.minSamples;
  const minRelativeIncrease = policy.minRelativeIncrease ?? DEFAULT_GUARD_POLICY.minRelativeIncrease;
  const minAbsoluteIncrease = policy.minAbsoluteIncrease ?? DEFAULT_GUARD_POLICY.minAbsoluteIncrease;
  const signals = [...new Set(policy.signals ?? ALL_SIGNALS)];
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`guard alpha must be in (0, 1), got ${alpha}`);
  // A continuous signal needs two samples per arm for a variance.
  if (!(Number.isInteger(minSamples) && minSamples >= 2))
    throw new RangeError(`guard minSamples must be an integer ≥ 2, got ${minSamples}`);
  if (!(minRelativeIncrease >= 0 && Number.isFinite(minRelativeIncrease)))
    throw new RangeError(`guard minRelativeIncrease must be ≥ 0, got ${minRelativeIncrease}`);
  if (!(minAbsoluteIncrease >= 0 && Number.isFinite(minAbsoluteIncrease)))
    throw new RangeError(`guard minAbsoluteIncrease must be ≥ 0, got ${minAbsoluteIncrease}`);
  for (const s of signals)
    if (!ALL_SIGNALS.includes(s)) throw new RangeError(`unknown guard signal ${JSON.stringify(s)}`);
  return { alpha, minSamples, minRelativeIncrease, minAbsoluteIncrease, signals };
}

/**
 * Counts come from the run store; a negative count or more failures than trials means the caller
 * aggregated wrongly, and a guard fed wrong counts should stop the rollout loudly, not pass or fail it.
 */
export function checkCounts(arm: ArmCounts, label: string): void {
  const counts: [string, number][] = [
    ['runs', arm.runs],
    ['errors', arm.errors],
    ['formatJudged', arm.formatJudged],
    ['formatFailed', arm.formatFailed],
    ['thumbsUp', arm.thumbsUp],
    ['thumbsDown', arm.thumbsDown],
    ['correctedOrRegenerated', arm.correctedOrRegenerated],
    ['latency.n', arm.latency.n],
    ['tokens.n', arm.tokens.n],
  ];
  for (const [name, n] of counts)
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`${label}.${name} must be a count ≥ 0, got ${n}`);
  const subsets: [string, number, string, number][] = [
    ['errors', arm.errors, 'runs', arm.runs],
    ['formatFailed', arm.formatFailed, 'formatJudged', arm.formatJudged],
    ['correctedOrRegenerated', arm.correctedOrRegenerated, 'runs', arm.runs],
  ];
  for (const [part, x, whole, n] of subsets)
    if (x > n) throw new RangeError(`${label}.${part} (${x}) exceeds ${label}.${whole} (${n})`);
}
