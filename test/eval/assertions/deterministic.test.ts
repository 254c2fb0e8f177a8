import { runAssertion, type Assertion, type AssertionContext } from '../../../src/eval/assertions';
import { ctx } from './context';

type Row = [name: string, assertion: Assertion, context: AssertionContext, pass: boolean, reason: string];

const long = 'x'.repeat(100);

const rows: Row[] = [
  ['equals ignores surrounding whitespace', { type: 'equals', value: 'hello' }, ctx('  hello\n'), true, ''],
  [
    'equals fails on other text',
    { type: 'equals', value: 'hello' },
    ctx('world'),
    false,
    'expected "hello", got "world"',
  ],
  [
    'equals is case-sensitive',
    { type: 'equals', value: 'Hello' },
    ctx('hello'),
    false,
    'expected "Hello", got "hello"',
  ],
  [
    'equals shortens a long output',
    { type: 'equals', value: 'a' },
    ctx(long),
    false,
    `expected "a", got "${'x'.repeat(60)}…"`,
  ],
  ['contains finds a substring', { type: 'contains', value: 'cat' }, ctx('the cat sat'), true, ''],
  [
    'contains is case-sensitive',
    { type: 'contains', value: 'Cat' },
    ctx('the cat sat'),
    false,
    'output does not contain "Cat"',
  ],
  ['icontains ignores case', { type: 'icontains', value: 'CAT' }, ctx('the cat sat'), true, ''],
  [
    'icontains fails when absent',
    { type: 'icontains', value: 'dog' },
    ctx('the cat'),
    false,
    'output does not contain "dog" (ignoring case)',
  ],
  ['not-contains passes when absent', { type: 'not-contains', value: 'sorry' }, ctx('Here you go.'), true, ''],
  [
    'not-contains fails when present',
    { type: 'not-contains', value: 'sorry' },
    ctx('I am sorry'),
    false,
    'output contains "sorry"',
  ],
  ['starts-with skips leading whitespace', { type: 'starts-with', value: 'Yes' }, ctx('\n  Yes, indeed'), true, ''],
  [
    'starts-with fails on another start',
    { type: 'starts-with', value: 'No' },
    ctx('Yes'),
    false,
    'output does not start with "No"',
  ],
  ['contains-any needs one', { type: 'contains-any', value: ['red', 'blue'] }, ctx('a blue sky'), true, ''],
  [
    'contains-any fails with none',
    { type: 'contains-any', value: ['red', 'blue'] },
    ctx('green'),
    false,
    'output contains none of "red", "blue"',
  ],
  ['contains-all needs every one', { type: 'contains-all', value: ['a', 'b'] }, ctx('a and b'), true, ''],
  [
    'contains-all lists the missing',
    { type: 'contains-all', value: ['one', 'two', 'three'] },
    ctx('one'),
    false,
    'output is missing "two", "three"',
  ],
  ['regex matches', { type: 'regex', value: '^\\d{3}-\\d{4}$' }, ctx('555-1234'), true, ''],
  [
    'regex fails without a match',
    { type: 'regex', value: '^\\d+$' },
    ctx('12a'),
    false,
    'output does not match /^\\d+$/',
  ],
  ['regex i flag ignores case', { type: 'regex', value: 'hello', flags: 'i' }, ctx('HELLO there'), true, ''],
  [
    'regex is case-sensitive without i',
    { type: 'regex', value: 'hello' },
    ctx('HELLO'),
    false,
    'output does not match /hello/',
  ],
  ['regex m flag anchors per line', { type: 'regex', value: '^two$', flags: 'm' }, ctx('one\ntwo\nthree'), true, ''],
  [
    'regex without m anchors the whole text',
    { type: 'regex', value: '^two$' },
    ctx('one\ntwo'),
    false,
    'output does not match /^two$/',
  ],
  ['regex s flag lets dot cross lines', { type: 'regex', value: 'a.b', flags: 's' }, ctx('a\nb'), true, ''],
  ['min-length passes at the minimum', { type: 'min-length', value: 5 }, ctx('héllo'), true, ''],
  [
    'min-length fails below',
    { type: 'min-length', value: 5 },
    ctx('abc'),
    false,
    'output has 3 characters, fewer than the minimum 5',
  ],
  ['max-length counts code points', { type: 'max-length', value: 2 }, ctx('👍👍'), true, ''],
  [
    'max-length fails above',
    { type: 'max-length', value: 10 },
    ctx('twelve chars'),
    false,
    'output has 12 characters, more than the maximum 10',
  ],
  ['max-tokens passes at the limit', { type: 'max-tokens', value: 100 }, ctx('x', { outputTokens: 100 }), true, ''],
  [
    'max-tokens fails over',
    { type: 'max-tokens', value: 100 },
    ctx('x', { outputTokens: 120 }),
    false,
    'output used 120 tokens, over the limit of 100',
  ],
  [
    'max-tokens fails when unknown',
    { type: 'max-tokens', value: 100 },
    ctx('x'),
    false,
    'output token count not available',
  ],
  ['max-latency passes under', { type: 'max-latency', value: 1000 }, ctx('x', { latencyMs: 999.5 }), true, ''],
  [
    'max-latency fails over',
    { type: 'max-latency', value: 1000 },
    ctx('x', { latencyMs: 1500 }),
    false,
    'took 1500 ms, over the limit of 1000 ms',
  ],
  ['max-latency fails when unmeasured', { type: 'max-latency', value: 1000 }, ctx('x'), false, 'latency not measured'],
  [
    'max-latency treats NaN as unmeasured',
    { type: 'max-latency', value: 1000 },
    ctx('x', { latencyMs: NaN }),
    false,
    'latency not measured',
  ],
];

describe('deterministic assertions', () => {
  test.each(rows)('%s', async (_name, assertion, context, pass, reason) => {
    const result = await runAssertion(assertion, context);
    expect(result).toEqual({ type: assertion.type, pass, score: pass ? 1 : expect.any(Number), weight: 1, reason });
    if (!pass) expect(result.score).toBeLessThan(1);
  });

  test('contains-all gives partial credit for the strings found', async () => {
    const result = await runAssertion({ type: 'contains-all', value: ['one', 'two', 'three'] }, ctx('one two'));
    expect(result.score).toBeCloseTo(2 / 3);
  });

  test.each([
    [undefined, 1],
    [0, 0],
    [2.5, 2.5],
  ])('weight %p is carried as %p', async (weight, expected) => {
    const result = await runAssertion({ type: 'contains', value: 'x', weight }, ctx('no'));
    expect(result.weight).toBe(expected);
  });

  test('a g-flag regex gives the same answer every call', async () => {
    const assertion: Assertion = { type: 'regex', value: 'a', flags: 'g' };
    const results = await Promise.all([1, 2, 3].map(() => runAssertion(assertion, ctx('a'))));
    expect(results.map((r) => r.pass)).toEqual([true, true, true]);
  });

  test('an unvalidated bad regex becomes a failed result, not a rejection', async () => {
    const result = await runAssertion({ type: 'regex', value: '(' }, ctx('x'));
    expect(result.pass).toBe(false);
    expect(result.reason).toMatch(/^assertion error: Invalid regular expression/);
  });

  test('rubric assertions are refused: the judge grades them', async () => {
    await expect(runAssertion({ type: 'rubric' }, ctx('x'))).rejects.toThrow(/use rubricResult/);
  });
});
