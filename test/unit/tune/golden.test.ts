import {
  caseAssertions,
  checkAssertion,
  checkGolden,
  parseGoldenJsonl,
  type GoldenAssertion,
  type GoldenCase,
} from '../../../src/tune/golden';

const FORMAT_HINT = 'Each line must be {"input": "...", "expected"?: "...", "assertions"?: [...]}';

function parseError(text: string, source?: string): string {
  try {
    parseGoldenJsonl(text, source);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected parseGoldenJsonl to throw');
}

describe('parseGoldenJsonl', () => {
  test('parses cases, filling in empty assertions', () => {
    const text = [
      '{"input":"a"}',
      '',
      '{"input":"b","expected":"B"}',
      '   ',
      '{"input":"c","assertions":[{"type":"regex","value":"^c$","flags":"i"},{"type":"min-length","value":2}]}',
    ].join('\n');
    expect(parseGoldenJsonl(text)).toEqual<GoldenCase[]>([
      { input: 'a', assertions: [] },
      { input: 'b', expected: 'B', assertions: [] },
      {
        input: 'c',
        assertions: [
          { type: 'regex', value: '^c$', flags: 'i' },
          { type: 'min-length', value: 2 },
        ],
      },
    ]);
  });

  test('CRLF line endings are accepted', () => {
    expect(parseGoldenJsonl('{"input":"a"}\r\n{"input":"b"}\r\n')).toHaveLength(2);
  });

  test.each([
    ['bad JSON', '{"input":"a"}\n{input: b}', 'golden cases:2: not valid JSON'],
    ['missing input', '{"expected":"x"}', 'golden cases:1: input: '],
    ['empty input', '{"input":""}', 'golden cases:1: input: '],
    ['not an object', '42', 'golden cases:1: case: '],
    [
      'bad assertion type',
      '{"input":"a","assertions":[{"type":"similar","value":"x"}]}',
      'golden cases:1: assertions.0.type: ',
    ],
    [
      'length assertion with a string',
      '{"input":"a","assertions":[{"type":"min-length","value":"3"}]}',
      'golden cases:1: assertions.0.value: ',
    ],
    [
      'negative length',
      '{"input":"a","assertions":[{"type":"max-length","value":-1}]}',
      'golden cases:1: assertions.0.value: ',
    ],
    [
      'invalid regex',
      '{"input":"a","assertions":[{"type":"regex","value":"(unclosed"}]}',
      'golden cases:1: assertions: invalid regular expression',
    ],
    [
      'invalid regex flags',
      '{"input":"a","assertions":[{"type":"regex","value":"a","flags":"q"}]}',
      'golden cases:1: assertions: invalid regular expression',
    ],
  ])('%s is reported with its line number', (_name, text, expected) => {
    const message = parseError(text);
    expect(message.startsWith(expected)).toBe(true);
    expect(message.endsWith(FORMAT_HINT)).toBe(true);
  });

  test('line numbers count blank lines, and every bad line is reported', () => {
    const text = ['{"input":"ok"}', '', 'not json', '{"input":"ok2"}', '{"nope":1}'].join('\n');
    const message = parseError(text, 'cases.jsonl');
    expect(message).toMatch(/^cases\.jsonl:3: not valid JSON; cases\.jsonl:5: input: /);
    expect(message).not.toMatch(/cases\.jsonl:[124]:/);
  });

  test('all or nothing: one bad line rejects the good ones', () => {
    expect(() => parseGoldenJsonl('{"input":"a"}\n{"input":"b"}\n{bad}')).toThrow(/golden cases:3: not valid JSON/);
  });

  test.each(['', '\n\n', '  \n\t\n'])('an empty file %j is an error naming the fix', (text) => {
    expect(parseError(text, 'g.jsonl')).toBe('g.jsonl has no cases: add at least one JSON line');
  });
});

describe('checkAssertion', () => {
  test.each<[GoldenAssertion, string, boolean]>([
    [{ type: 'equals', value: 'hello' }, 'hello', true],
    [{ type: 'equals', value: 'hello' }, '  hello\n', true],
    [{ type: 'equals', value: ' hello ' }, 'hello', true],
    [{ type: 'equals', value: 'hello' }, 'Hello', false],
    [{ type: 'equals', value: 'hello' }, 'hello world', false],
    [{ type: 'contains', value: 'World' }, 'Hello World!', true],
    [{ type: 'contains', value: 'world' }, 'Hello World!', false],
    [{ type: 'contains', value: '' }, 'anything', true],
    [{ type: 'icontains', value: 'WORLD' }, 'Hello world!', true],
    [{ type: 'icontains', value: 'planet' }, 'Hello world!', false],
    [{ type: 'not-contains', value: 'TODO' }, 'done', true],
    [{ type: 'not-contains', value: 'TODO' }, 'a TODO left', false],
    [{ type: 'not-contains', value: 'todo' }, 'a TODO left', true],
    [{ type: 'starts-with', value: '# Title' }, '# Title\nbody', true],
    [{ type: 'starts-with', value: '# Title' }, '\n  # Title\nbody', true],
    [{ type: 'starts-with', value: '# Title' }, 'Intro\n# Title', false],
    [{ type: 'regex', value: '^\\d{3}-\\d{4}$' }, '555-1234', true],
    [{ type: 'regex', value: '^\\d{3}-\\d{4}$' }, 'call 555-1234', false],
    [{ type: 'regex', value: '^release', flags: 'i' }, 'RELEASE notes', true],
    [{ type: 'regex', value: '^release' }, 'RELEASE notes', false],
    [{ type: 'regex', value: '^## Fixes$', flags: 'm' }, '# Notes\n## Fixes\n- x', true],
    [{ type: 'regex', value: '^## Fixes$' }, '# Notes\n## Fixes\n- x', false],
    [{ type: 'min-length', value: 5 }, 'abcde', true],
    [{ type: 'min-length', value: 5 }, 'abcd', false],
    [{ type: 'min-length', value: 0 }, '', true],
    [{ type: 'max-length', value: 5 }, 'abcde', true],
    [{ type: 'max-length', value: 5 }, 'abcdef', false],
    [{ type: 'max-length', value: 0 }, '', true],
  ])('%j on %j → %s', (assertion, output, expected) => {
    expect(checkAssertion(output, assertion)).toBe(expected);
  });

  test('a global regex gives the same answer every time', () => {
    const a: GoldenAssertion = { type: 'regex', value: 'x', flags: 'g' };
    expect([checkAssertion('x', a), checkAssertion('x', a), checkAssertion('x', a)]).toEqual([true, true, true]);
  });
});

describe('checkGolden', () => {
  test('expected acts as a contains assertion, placed first', () => {
    const c: GoldenCase = { input: 'i', expected: 'Fixes', assertions: [{ type: 'max-length', value: 100 }] };
    expect(caseAssertions(c)).toEqual([
      { type: 'contains', value: 'Fixes' },
      { type: 'max-length', value: 100 },
    ]);
    expect(caseAssertions({ input: 'i', assertions: [] })).toEqual([]);
  });

  test('counts every assertion of every case and names the failures', () => {
    const cases: GoldenCase[] = [
      { input: 'one', expected: 'Fixes', assertions: [{ type: 'starts-with', value: '#' }] },
      {
        input: 'two',
        assertions: [
          { type: 'not-contains', value: 'TODO' },
          { type: 'min-length', value: 50 },
        ],
      },
      { input: 'three', expected: '', assertions: [] },
    ];
    expect(checkGolden(cases, ['# Notes\n## Fixes', 'short TODO', 'x'])).toEqual({
      passed: 3,
      total: 5,
      failures: ['case 2: not-contains "TODO"', 'case 2: min-length 50'],
      errors: [],
    });
  });

  test('a missing expected text fails as a contains', () => {
    expect(checkGolden([{ input: 'a', expected: 'Breaking', assertions: [] }], ['nothing here'])).toEqual({
      passed: 0,
      total: 1,
      failures: ['case 1: contains "Breaking"'],
      errors: [],
    });
  });

  test('a missing output counts as empty text', () => {
    const cases: GoldenCase[] = [
      { input: 'a', assertions: [{ type: 'max-length', value: 0 }] },
      { input: 'b', assertions: [{ type: 'contains', value: 'x' }] },
    ];
    expect(checkGolden(cases, [])).toEqual({
      passed: 1,
      total: 2,
      failures: ['case 2: contains "x"'],
      errors: [],
    });
  });

  test('no cases, no assertions', () => {
    expect(checkGolden([], ['x'])).toEqual({ passed: 0, total: 0, failures: [], errors: [] });
  });

  test('parsed JSONL runs end to end', () => {
    const cases = parseGoldenJsonl(
      '{"input":"v1.2","expected":"1.2","assertions":[{"type":"icontains","value":"release"}]}\n{"input":"v2","assertions":[{"type":"equals","value":"ok"}]}',
    );
    expect(checkGolden(cases, ['Release 1.2', ' ok '])).toEqual({ passed: 3, total: 3, failures: [], errors: [] });
  });

  test('an assertion that cannot be checked counts as failed and is named; the others still count', () => {
    // An invalid regex cannot come through parseGoldenJsonl; stored cases reach the check without it.
    const cases: GoldenCase[] = [
      {
        input: 'a',
        expected: 'ok',
        assertions: [
          { type: 'regex', value: '(' },
          { type: 'regex', value: 'o', flags: 'zz' },
        ],
      },
    ];
    const r = checkGolden(cases, ['ok']);
    expect(r).toMatchObject({ passed: 1, total: 3 });
    expect(r.errors).toEqual([
      expect.stringMatching(/^case 1: regex "\(" could not be checked \(.+\)$/),
      expect.stringMatching(/^case 1: regex "o" could not be checked \(.+\)$/),
    ]);
    expect(r.failures).toEqual(r.errors);
  });

  test('a stored case of the wrong shape counts as one failed assertion, and so does a non-array', () => {
    const r = checkGolden([{ input: 'a', expected: 'x' }, { nope: true }, 42], ['x', 'y', 'z']);
    expect(r).toMatchObject({ passed: 1, total: 3 });
    expect(r.errors).toEqual([
      expect.stringMatching(/^case 2: not a golden case \(input: /),
      expect.stringMatching(/^case 3: not a golden case \(case: /),
    ]);
    expect(checkGolden({ input: 'a', expected: 'x' }, ['x'])).toMatchObject({ passed: 1, total: 1, errors: [] });
    expect(checkGolden(null, [])).toMatchObject({ passed: 0, total: 1, errors: [expect.stringMatching(/^case 1/)] });
  });
});
