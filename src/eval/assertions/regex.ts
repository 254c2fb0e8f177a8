import type { AssertionOf } from './schema';
import { failed, passed } from './result';
import type { AssertionResult } from './types';

/** Why a pattern would not compile, and which field is to blame; undefined when it compiles. */
export function regexProblem(source: string, flags = ''): { field: 'value' | 'flags'; message: string } | undefined {
  try {
    new RegExp('', flags);
  } catch {
    return { field: 'flags', message: `invalid regex flags ${JSON.stringify(flags)}` };
  }
  try {
    new RegExp(source, flags);
  } catch (err) {
    return { field: 'value', message: `invalid regex: ${(err as Error).message}` };
  }
  return undefined;
}

export function regexAssertion(a: AssertionOf<'regex'>, output: string): AssertionResult {
  // A fresh RegExp per call: with the g or y flag, test() keeps lastIndex between calls.
  const re = new RegExp(a.value, a.flags ?? '');
  return re.test(output) ? passed(a) : failed(a, `output does not match /${a.value}/${a.flags ?? ''}`);
}
