import { isJsonAssertion } from './json';
import { javascriptAssertion } from './javascript';
import { lengthAssertion } from './length';
import { metricAssertion } from './usage-limits';
import { regexAssertion } from './regex';
import { failed } from './result';
import type { Assertion } from './schema';
import { textAssertion, textSetAssertion } from './text';
import { triggerAssertion } from './trigger';
import type { AssertionContext, AssertionResult } from './types';

/**
 * Checks one deterministic assertion. Never rejects: a broken assertion (say, an unvalidated bad regex) is a
 * failed result, so one case cannot abort a whole run. Rubric assertions need the judge: see rubricResult.
 */
export async function runAssertion(a: Assertion, ctx: AssertionContext): Promise<AssertionResult> {
  if (a.type === 'rubric') throw new Error('rubric assertions are graded by the judge: use rubricResult');
  try {
    return await check(a, ctx);
  } catch (err) {
    return failed(a, `assertion error: ${(err as Error).message}`);
  }
}

function check(
  a: Exclude<Assertion, { type: 'rubric' }>,
  ctx: AssertionContext,
): AssertionResult | Promise<AssertionResult> {
  switch (a.type) {
    case 'equals':
    case 'contains':
    case 'icontains':
    case 'not-contains':
    case 'starts-with':
      return textAssertion(a, ctx.output);
    case 'contains-any':
    case 'contains-all':
      return textSetAssertion(a, ctx.output);
    case 'regex':
      return regexAssertion(a, ctx.output);
    case 'is-json':
      return isJsonAssertion(a, ctx.output);
    case 'min-length':
    case 'max-length':
      return lengthAssertion(a, ctx.output);
    case 'max-tokens':
    case 'max-latency':
      return metricAssertion(a, ctx);
    case 'javascript':
      return javascriptAssertion(a, ctx);
    case 'trigger':
      return triggerAssertion(a, ctx.output);
  }
}
