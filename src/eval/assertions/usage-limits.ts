import type { AssertionOf } from './schema';
import { failed, passed } from './result';
import type { AssertionContext, AssertionResult } from './types';

// A missing metric fails rather than passes: a limit that silently stops being checked is worse than a red case.
function measured(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

export function metricAssertion(a: AssertionOf<'max-tokens' | 'max-latency'>, ctx: AssertionContext): AssertionResult {
  if (a.type === 'max-tokens') {
    const n = ctx.outputTokens;
    if (!measured(n)) return failed(a, 'output token count not available');
    return n <= a.value ? passed(a) : failed(a, `output used ${n} tokens, over the limit of ${a.value}`);
  }
  const ms = ctx.latencyMs;
  if (!measured(ms)) return failed(a, 'latency not measured');
  return ms <= a.value ? passed(a) : failed(a, `took ${ms} ms, over the limit of ${a.value} ms`);
}
