import type { AssertionOf } from './schema';
import { failed, passed } from './result';
import type { AssertionResult } from './types';

export function regexAssertion(a: AssertionOf<'regex'>, output: string): AssertionResult {
  // A fresh RegExp per call: with the g or y flag, test() keeps lastIndex between calls.
  const re = new RegExp(a.value, a.flags ?? '');
  return re.test(output) ? passed(a) : failed(a, `output does not match /${a.value}/${a.flags ?? ''}`);
}
