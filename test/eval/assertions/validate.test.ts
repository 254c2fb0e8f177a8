import { ASSERTION_TYPES, validateAssertions, type Assertion } from '../../../src/eval/assertions';
import { formatIssuePath } from '../../../src/eval/assertions/validate';

// The type exactly as the API spec states it; the check below fails to compile if the schema drifts from it.
type SpecAssertion =
  | { type: 'equals'; value: string; weight?: number }
  | { type: 'contains' | 'icontains' | 'not-contains' | 'starts-with'; value: string; weight?: number }
  | { type: 'contains-any' | 'contains-all'; value: string[]; weight?: number }
  | { type: 'regex'; value: string; flags?: string; weight?: number }
  | { type: 'is-json'; schema?: Record<string, unknown>; weight?: number }
  | { type: 'min-length' | 'max-length'; value: number; weight?: number }
  | { type: 'max-tokens'; value: number; weight?: number }
  | { type: 'max-latency'; value: number; weight?: number }
  | { type: 'rubric'; rubric?: string; threshold?: number; weight?: number }
  | { type: 'javascript'; file: string; timeoutMs?: number; weight?: number }
  | { type: 'trigger'; should: boolean; distractors?: { name: string; description: string }[]; weight?: number };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAsSpec: Same<Assertion, SpecAssertion> = true;

function messageOf(raw: unknown, where = 'cases.jsonl:7'): string {
  try {
    validateAssertions(raw, where);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected validateAssertions to throw');
}

const every: Assertion[] = [
  { type: 'equals', value: '' },
  { type: 'contains', value: 'a', weight: 2 },
  { type: 'icontains', value: 'a' },
  { type: 'not-contains', value: 'a', weight: 0 },
  { type: 'starts-with', value: 'a' },
  { type: 'contains-any', value: ['a', 'b'] },
  { type: 'contains-all', value: ['a'] },
  { type: 'regex', value: '^a+$', flags: 'imsu' },
  { type: 'is-json' },
  { type: 'is-json', schema: { type: 'object', required: ['a'] } },
  { type: 'min-length', value: 0 },
  { type: 'max-length', value: 10 },
  { type: 'max-tokens', value: 500 },
  { type: 'max-latency', value: 1500.5 },
  { type: 'rubric' },
  { type: 'rubric', rubric: 'Polite and brief.', threshold: 85, weight: 2 },
  { type: 'javascript', file: 'checks/score.js', timeoutMs: 500 },
  { type: 'javascript', file: './check.cjs' },
  { type: 'trigger', should: true },
  { type: 'trigger', should: false, distractors: [{ name: 'pdf', description: 'Fills PDF forms.' }] },
];

describe('validateAssertions', () => {
  test('the schema type is the spec type', () => {
    expect(sameAsSpec).toBe(true);
  });

  test('accepts every assertion type and returns it unchanged', () => {
    expect(validateAssertions(every, 'x')).toEqual(every);
    expect(new Set(every.map((a) => a.type))).toEqual(new Set(ASSERTION_TYPES));
  });

  test('accepts an empty list', () => {
    expect(validateAssertions([], 'x')).toEqual([]);
  });

  test.each<[string, unknown, string]>([
    ['not a list', { type: 'equals', value: 'a' }, '$: Invalid input: expected array, received object'],
    ['not an object', ['contains'], '$[0]: Invalid input: expected object, received string'],
    [
      'an unknown type',
      [{ type: 'nope' }],
      `$[0].type: unknown assertion type "nope"; expected one of: ${ASSERTION_TYPES.join(', ')}`,
    ],
    [
      'a missing type',
      [{ value: 'a' }],
      `$[0].type: unknown assertion type undefined; expected one of: ${ASSERTION_TYPES.join(', ')}`,
    ],
    ['a missing value', [{ type: 'equals' }], '$[0].value: Invalid input: expected string, received undefined'],
    [
      'a number where text belongs',
      [
        { type: 'contains', value: 'a' },
        { type: 'equals', value: 42 },
      ],
      '$[1].value: Invalid input: expected string, received number',
    ],
    ['an empty needle', [{ type: 'contains', value: '' }], '$[0].value: must not be empty'],
    ['an empty needle in a list', [{ type: 'contains-all', value: ['a', ''] }], '$[0].value[1]: must not be empty'],
    ['an empty list', [{ type: 'contains-any', value: [] }], '$[0].value: must list at least one string'],
    ['a misspelt key', [{ type: 'regex', value: 'a', flag: 'i' }], '$[0]: Unrecognized key: "flag"'],
    [
      'an invalid regex',
      [{ type: 'regex', value: '(unclosed' }],
      '$[0].value: invalid regex: Invalid regular expression: /(unclosed/: Unterminated group',
    ],
    ['invalid regex flags', [{ type: 'regex', value: 'a', flags: 'iq' }], '$[0].flags: invalid regex flags "iq"'],
    [
      'a fractional length',
      [{ type: 'min-length', value: 1.5 }],
      '$[0].value: Invalid input: expected int, received number',
    ],
    [
      'a negative weight',
      [{ type: 'contains', value: 'a', weight: -1 }],
      '$[0].weight: Too small: expected number to be >=0',
    ],
    [
      'a threshold over 100',
      [{ type: 'rubric', threshold: 120 }],
      '$[0].threshold: Too big: expected number to be <=100',
    ],
    [
      'a zero timeout',
      [{ type: 'javascript', file: 'a.js', timeoutMs: 0 }],
      '$[0].timeoutMs: Too small: expected number to be >0',
    ],
    [
      'an absolute script path',
      [{ type: 'javascript', file: '/etc/check.js' }],
      '$[0].file: must be a relative path, not absolute',
    ],
    [
      'a Windows absolute path',
      [{ type: 'javascript', file: 'C:\\checks\\a.js' }],
      '$[0].file: must be a relative path, not absolute',
    ],
    [
      'a path leaving the directory',
      [{ type: 'javascript', file: '../check.js' }],
      '$[0].file: must stay inside the dataset directory (no "..")',
    ],
    [
      'a path leaving it halfway',
      [{ type: 'javascript', file: 'a/../../check.js' }],
      '$[0].file: must stay inside the dataset directory (no "..")',
    ],
    [
      'a non-JavaScript file',
      [{ type: 'javascript', file: 'check.py' }],
      '$[0].file: must be a .js, .cjs or .mjs file',
    ],
  ])('rejects %s', (_name, raw, rest) => {
    expect(messageOf(raw)).toBe(`cases.jsonl:7: ${rest}`);
  });

  test('rejects a JSON Schema that does not compile, naming the schema field', () => {
    const message = messageOf([{ type: 'is-json', schema: { type: 'strin' } }], 'golden.yaml:12');
    expect(message.startsWith('golden.yaml:12: $[0].schema: invalid JSON Schema: schema is invalid: data/type')).toBe(
      true,
    );
  });

  test('rejects a schema with an unresolvable $ref', () => {
    const message = messageOf([{ type: 'is-json', schema: { $ref: '#/definitions/missing' } }], 'w');
    expect(message).toMatch(/^w: \$\[0\]\.schema: invalid JSON Schema: can't resolve reference/);
  });

  test.each<[PropertyKey[], string]>([
    [[], '$'],
    [[0, 'value', 2], '$[0].value[2]'],
    [[1, 'schema', 'not an identifier'], '$[1].schema["not an identifier"]'],
  ])('formats the issue path %j as %s', (path, formatted) => {
    expect(formatIssuePath(path)).toBe(formatted);
  });
});
