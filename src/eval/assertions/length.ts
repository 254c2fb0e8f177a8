import type { AssertionOf } from './schema';
import { failed, passed } from './result';
import type { AssertionResult } from './types';

/** Length in Unicode code points: what a reader counts as characters, unlike UTF-16 units. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function lengthAssertion(a: AssertionOf<'min-length' | 'max-length'>, output: string): AssertionResult {
  const n = codePointLength(output);
  if (a.type === 'min-length') {
    return n >= a.value ? passed(a) : failed(a, `output has ${n} characters, fewer than the minimum ${a.value}`);
  }
  return n <= a.value ? passed(a) : failed(a, `output has ${n} characters, more than the maximum ${a.value}`);
}
