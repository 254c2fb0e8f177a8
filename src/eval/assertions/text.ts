import type { AssertionOf } from './schema';
import { failed, passed, preview } from './result';
import type { AssertionResult } from './types';

type TextAssertion = AssertionOf<'equals' | 'contains' | 'icontains' | 'not-contains' | 'starts-with'>;

export function textAssertion(a: TextAssertion, output: string): AssertionResult {
  switch (a.type) {
    case 'equals': {
      // Trimmed: models add leading/trailing newlines that nobody means as part of the answer.
      const want = a.value.trim();
      const got = output.trim();
      return got === want ? passed(a) : failed(a, `expected ${preview(want)}, got ${preview(got)}`);
    }
    case 'contains':
      return output.includes(a.value) ? passed(a) : failed(a, `output does not contain ${preview(a.value)}`);
    case 'icontains':
      return output.toLowerCase().includes(a.value.toLowerCase())
        ? passed(a)
        : failed(a, `output does not contain ${preview(a.value)} (ignoring case)`);
    case 'not-contains':
      return output.includes(a.value) ? failed(a, `output contains ${preview(a.value)}`) : passed(a);
    case 'starts-with':
      // Leading whitespace is ignored for the same reason equals trims.
      return output.trimStart().startsWith(a.value)
        ? passed(a)
        : failed(a, `output does not start with ${preview(a.value)}`);
  }
}

export function textSetAssertion(a: AssertionOf<'contains-any' | 'contains-all'>, output: string): AssertionResult {
  const missing = a.value.filter((v) => !output.includes(v));
  const list = (xs: string[]) => xs.map((x) => preview(x, 30)).join(', ');
  if (a.type === 'contains-any') {
    return missing.length < a.value.length ? passed(a) : failed(a, `output contains none of ${list(a.value)}`);
  }
  // Partial credit, so a weighted mean rewards getting closer.
  const score = (a.value.length - missing.length) / a.value.length;
  return missing.length === 0 ? passed(a) : failed(a, `output is missing ${list(missing)}`, score);
}
