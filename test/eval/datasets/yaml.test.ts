import { parseDataset } from '../../../src/eval/datasets';
import { problemsOf, strictAssertions } from './helpers';

const source = 'golden.yaml';

describe('YAML datasets', () => {
  const full = {
    id: 'refund',
    input: 'I want my money back\nplease',
    vars: { tone: 'formal', retries: 2, vip: true, input: 'I want my money back\nplease' },
    expected: 'refund',
    assertions: [{ type: 'max-length', value: 200 }],
    tags: ['billing', 'p0'],
    required: true,
  };

  test.each([
    [
      'a top-level list',
      [
        '- id: refund',
        '  input: |-',
        '    I want my money back',
        '    please',
        '  vars: { tone: formal, retries: 2, vip: true }',
        '  expected: refund',
        '  assertions:',
        '    - { type: max-length, value: 200 }',
        '  tags: [billing, p0]',
        '  required: true',
        '- vars:',
        '    topic: weather',
      ].join('\n'),
    ],
    [
      'a {cases: [...]} mapping, with CRLF and a BOM',
      '\uFEFFcases:\r\n' +
        '  - id: refund\r\n' +
        '    input: "I want my money back\\nplease"\r\n' +
        '    vars: { tone: formal, retries: 2, vip: true }\r\n' +
        '    expected: refund\r\n' +
        '    assertions: [{ type: max-length, value: 200 }]\r\n' +
        '    tags: [billing, p0]\r\n' +
        '    required: true\r\n' +
        '  - vars: { topic: weather }\r\n',
    ],
  ])('%s', (_name, text) => {
    expect(parseDataset(text, 'yaml', { source, validateAssertions: strictAssertions })).toEqual([
      full,
      { id: 'case-2', vars: { topic: 'weather' }, assertions: [], tags: [], required: false },
    ]);
  });

  test('anchors and aliases are resolved', () => {
    const text = '- &base\n  input: a\n  tags: [t]\n- *base\n';
    expect(parseDataset(text, 'yaml', { source }).map((c) => [c.id, c.input, c.tags])).toEqual([
      ['case-1', 'a', ['t']],
      ['case-2', 'a', ['t']],
    ]);
  });

  test.each([
    [
      'a syntax error',
      '- input: a\n- input: "unclosed\n',
      'golden.yaml:3: YAML syntax error: Missing closing "quote (in the case starting at line 2)',
    ],
    [
      'a syntax error before any case',
      'cases: [\n\n',
      'golden.yaml:3: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'a duplicate key',
      '- input: a\n  input: b\n',
      'golden.yaml:2: YAML syntax error: Map keys must be unique (in the case starting at line 1)',
    ],
    [
      'a bad var, on the line where its case starts',
      '- input: a\n- id: b\n  vars:\n    x: [1]\n',
      'golden.yaml:2: vars.x: expected a string, number or boolean',
    ],
    [
      'YAML 1.1 booleans are strings',
      '- input: a\n  required: yes\n',
      'golden.yaml:1: required: expected true or false',
    ],
    ['a numeric id', '- id: 7\n  input: a\n', 'golden.yaml:1: id: Invalid input: expected string, received number'],
    [
      'a scalar case',
      '- input: a\n- just text\n',
      'golden.yaml:2: case: Invalid input: expected object, received string',
    ],
    ['a scalar document', 'hello\n', 'golden.yaml:1: expected a list of cases, or a mapping {cases: [...]}'],
    ['cases not a list', 'cases:\n  input: a\n', 'golden.yaml:2: "cases" must be a list of cases'],
    ['no cases key', 'tests:\n  - input: a\n', 'golden.yaml:1: unknown top-level key; the document is {cases: [...]}'],
    [
      'duplicate ids',
      '- id: a\n  input: x\n-   id: a\n    input: y\n',
      'golden.yaml:3: duplicate case id "a" (first at line 1)',
    ],
    ['an empty document', '# nothing yet\n', 'golden.yaml: no cases; add at least one'],
    ['an empty list', 'cases: []\n', 'golden.yaml: no cases; add at least one'],
  ])('%s is reported with its line', (_name, text, problem) => {
    expect(problemsOf(text, 'yaml', { source })[0]).toBe(problem);
  });

  test("the injected validator's error carries the case's line", () => {
    const text = 'cases:\n  - input: a\n  - input: b\n    assertions:\n      - type: max-length\n        value: lots\n';
    expect(problemsOf(text, 'yaml', { source, validateAssertions: strictAssertions })).toEqual([
      'golden.yaml:3: assertions: 0: value must be a number',
    ]);
  });
});
