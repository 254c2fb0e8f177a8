import { parseDataset } from '../../../src/eval/datasets';
import { problemsOf, strictAssertions } from './helpers';

const source = 'golden.jsonl';

describe('JSONL datasets', () => {
  test('a case with every field, and one with only vars (generated id by position)', () => {
    const text = [
      JSON.stringify({
        id: 'refund',
        input: 'I want my money back',
        vars: { tone: 'formal', retries: 2, vip: true },
        expected: 'refund',
        assertions: [{ type: 'contains', value: 'refund' }],
        tags: ['billing', 'p0', 'billing'],
        required: true,
      }),
      '',
      '   ',
      JSON.stringify({ vars: { topic: 'weather' } }),
    ].join('\n');
    expect(parseDataset(text, 'jsonl', { source, validateAssertions: strictAssertions })).toEqual([
      {
        id: 'refund',
        input: 'I want my money back',
        vars: { tone: 'formal', retries: 2, vip: true, input: 'I want my money back' },
        expected: 'refund',
        assertions: [{ type: 'contains', value: 'refund' }],
        tags: ['billing', 'p0'],
        required: true,
      },
      // Blank lines are skipped and not counted: this is the second case.
      { id: 'case-2', vars: { topic: 'weather' }, assertions: [], tags: [], required: false },
    ]);
  });

  test('vars.input alone also fills input; equal input and vars.input are fine', () => {
    const text = '{"vars":{"input":"hi"}}\n{"input":"yo","vars":{"input":"yo"}}\n';
    expect(parseDataset(text, 'jsonl', { source }).map((c) => [c.input, c.vars.input])).toEqual([
      ['hi', 'hi'],
      ['yo', 'yo'],
    ]);
  });

  test('CRLF line endings and a byte-order mark', () => {
    const text = '\uFEFF{"id":"a","input":"x"}\r\n{"id":"b","input":"y"}\r\n';
    expect(parseDataset(text, 'jsonl', { source }).map((c) => c.id)).toEqual(['a', 'b']);
  });

  test.each([
    ['not JSON', '{"input": "ok"}\n{"input": nope}', 'golden.jsonl:2: not valid JSON'],
    ['a JSON array', '[1, 2]', 'golden.jsonl:1: case: Invalid input: expected object, received array'],
    ['a null var', '\n\n{"vars": {"x": null}}', 'golden.jsonl:3: vars.x: expected a string, number or boolean'],
    ['a nested var', '{"vars": {"x": {"y": 1}}}', 'golden.jsonl:1: vars.x: expected a string, number or boolean'],
    [
      'a bad var name',
      '{"vars": {"two words": "a"}}',
      'golden.jsonl:1: vars.two words: is not a valid variable name (letters, digits and _, not starting with a digit)',
    ],
    ['a __proto__ var', '{"vars": {"__proto__": "a"}}', 'golden.jsonl:1: vars.__proto__: is reserved'],
    ['a numeric input', '{"input": 3}', 'golden.jsonl:1: input: Invalid input: expected string, received number'],
    ['an empty id', '{"id": "", "input": "x"}', 'golden.jsonl:1: id: must not be empty'],
    ['a padded id', '{"id": " a", "input": "x"}', 'golden.jsonl:1: id: must not start or end with whitespace'],
    ['tags not a list', '{"input": "x", "tags": "a"}', 'golden.jsonl:1: tags: expected a list of strings'],
    ['a tag with ;', '{"input": "x", "tags": ["a;b"]}', 'golden.jsonl:1: tags.0: must not contain ";"'],
    ['required as a string', '{"input": "x", "required": "yes"}', 'golden.jsonl:1: required: expected true or false'],
    ['assertions not a list', '{"input": "x", "assertions": {}}', 'golden.jsonl:1: assertions: expected a list'],
    [
      'an unknown field',
      '{"input": "x", "assertion": []}',
      'golden.jsonl:1: unknown field "assertion"; a case has id, input, vars, expected, assertions, tags, required',
    ],
    [
      'input and vars.input differ',
      '{"input": "x", "vars": {"input": "y"}}',
      'golden.jsonl:1: input and vars.input differ; give only one of them',
    ],
    [
      'nothing to send',
      '{"expected": "x"}',
      'golden.jsonl:1: the case has no input and no vars; give "input" or at least one variable',
    ],
  ])('%s is reported with its line', (_name, text, problem) => {
    expect(problemsOf(text, 'jsonl', { source })).toEqual([problem]);
  });

  test('every bad line is reported, good lines are not returned', () => {
    const text = ['{"input": "a"}', 'oops', '{"input": "b"}', '{"input": 1}', '{"id": "x"'].join('\n');
    expect(problemsOf(text, 'jsonl', { source })).toEqual([
      'golden.jsonl:2: not valid JSON',
      'golden.jsonl:4: input: Invalid input: expected string, received number',
      'golden.jsonl:5: not valid JSON',
    ]);
  });

  test('duplicate ids, including a given id that collides with a generated one', () => {
    const text = [
      '{"id": "a", "input": "1"}',
      '{"input": "2"}',
      '{"id": "a", "input": "3"}',
      '{"id": "case-2", "input": "4"}',
    ];
    expect(problemsOf(text.join('\n'), 'jsonl', { source })).toEqual([
      'golden.jsonl:3: duplicate case id "a" (first at line 1)',
      'golden.jsonl:4: duplicate case id "case-2" (first at line 2)',
    ]);
  });

  test("the injected validator's error carries the line prefix", () => {
    const text =
      '{"input": "a", "assertions": [{"type": "contains", "value": "a"}]}\n{"input": "b", "assertions": [{"type": "smells-nice"}]}';
    expect(problemsOf(text, 'jsonl', { source, validateAssertions: strictAssertions })).toEqual([
      'golden.jsonl:2: assertions: 0: unknown assertion type "smells-nice"',
    ]);
  });

  test('a validator error without the prefix gets it', () => {
    const validateAssertions = () => {
      throw new Error('nope');
    };
    const text = '{"input": "a", "assertions": [1]}';
    expect(problemsOf(text, 'jsonl', { source, validateAssertions })).toEqual(['golden.jsonl:1: assertions: nope']);
  });

  test('the validator is not asked about cases without assertions', () => {
    const validateAssertions = jest.fn(() => [] as unknown[]);
    parseDataset('{"input": "a"}\n{"input": "b", "assertions": []}', 'jsonl', { source, validateAssertions });
    expect(validateAssertions).not.toHaveBeenCalled();
  });
});
