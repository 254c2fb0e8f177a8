import {
  DATASET_LIMITS,
  DatasetError,
  canonicalJson,
  datasetHash,
  formatFromPath,
  parseDataset,
  type DatasetFormat,
} from '../../../src/eval/datasets';
import { problemsOf, strictAssertions } from './helpers';

// The same three cases written in each format (vars are strings: CSV has no other type).
const SAME_CASES: Record<DatasetFormat, string> = {
  jsonl: [
    '{"id":"refund","input":"I want my money back, now","vars":{"tone":"formal"},"expected":"refund",' +
      '"assertions":[{"type":"contains","value":"refund"},{"type":"max-length","value":200}],"tags":["billing","p0"],"required":true}',
    '{"input":"Say \\"hi\\"\\non two lines","assertions":[{"type":"regex","value":"^hi"}]}',
    '{"id":"weather","vars":{"topic":"rain","tone":"casual"},"tags":["smalltalk"]}',
  ].join('\n'),
  csv: [
    'id,input,expected,tags,required,assert:contains,assert:regex,assert:max-length,tone,vars.topic',
    'refund,"I want my money back, now",refund,billing;p0,yes,refund,,200,formal,',
    ',"Say ""hi""',
    'on two lines",,,,,^hi,,,',
    'weather,,,smalltalk,no,,,,casual,rain',
  ].join('\r\n'),
  yaml: `
cases:
  - id: refund
    required: true
    tags: [billing, p0]
    input: I want my money back, now
    expected: refund
    vars: { tone: formal }
    assertions:
      - { type: contains, value: refund }
      - { type: max-length, value: 200 }
  - input: |-
      Say "hi"
      on two lines
    assertions: [{ type: regex, value: ^hi }]
  - id: weather
    vars: { tone: casual, topic: rain }
    tags: [smalltalk]
`,
};

const parse = (format: DatasetFormat) =>
  parseDataset(SAME_CASES[format], format, { source: `same.${format}`, validateAssertions: strictAssertions });

describe('datasetHash', () => {
  test('the same cases in JSONL, CSV and YAML parse equal and hash equal', () => {
    const [jsonl, csv, yaml] = (['jsonl', 'csv', 'yaml'] as const).map(parse);
    expect(csv).toEqual(jsonl);
    expect(yaml).toEqual(jsonl);
    expect(new Set([jsonl, csv, yaml].map((c) => datasetHash(c!))).size).toBe(1);
    expect(jsonl!.map((c) => c.id)).toEqual(['refund', 'case-2', 'weather']);
  });

  test('the hash is pinned: changing the canonical form would silently unpin every eval', () => {
    const cases = parseDataset('{"input":"a"}', 'jsonl', { source: 's' });
    expect(canonicalJson(cases)).toBe(
      '[{"assertions":[],"id":"case-1","input":"a","required":false,"tags":[],"vars":{"input":"a"}}]',
    );
    expect(datasetHash(cases)).toBe('4db1ef256b76f46b0ef57862d986951697e8ac82af2d0ff28d742eff82ca53ff');
  });

  test('key order does not matter; content and case order do', () => {
    const a = parse('jsonl');
    const reordered = a.map((c) => Object.fromEntries(Object.entries(c).reverse()) as typeof c);
    expect(datasetHash(reordered)).toBe(datasetHash(a));
    expect(datasetHash([...a].reverse())).not.toBe(datasetHash(a));
    expect(datasetHash([{ ...a[0]!, required: false }, ...a.slice(1)])).not.toBe(datasetHash(a));
  });

  test('canonicalJson drops undefined members and refuses values with no JSON form', () => {
    expect(canonicalJson({ b: 1, a: undefined, c: [undefined, -0] })).toBe('{"b":1,"c":[null,0]}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ x: 1n })).toThrow(TypeError);
  });
});

describe('formatFromPath', () => {
  test.each([
    ['golden.jsonl', 'jsonl'],
    ['dir.v2/golden.NDJSON', 'jsonl'],
    ['cases.csv', 'csv'],
    ['cases.yaml', 'yaml'],
    ['/abs/cases.YML', 'yaml'],
  ])('%s is %s', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });

  test.each([
    [
      'cases.json',
      'cases.json: unsupported dataset extension ".json"; use .jsonl or .ndjson (JSON lines), .csv, .yaml or .yml',
    ],
    ['dir.d/cases', 'dir.d/cases: no file extension; use .jsonl or .ndjson (JSON lines), .csv, .yaml or .yml'],
  ])('%s is refused with the supported formats', (path, message) => {
    expect(() => formatFromPath(path)).toThrow(new DatasetError(message, [message]));
  });
});

describe('all-or-nothing errors', () => {
  test('one DatasetError lists the first 20 problems, counts the rest and ends with the fix', () => {
    const text = Array.from({ length: 25 }, (_, i) => (i === 3 ? '{"input":"ok"}' : 'bad')).join('\n');
    let error: unknown;
    try {
      parseDataset(text, 'jsonl', { source: 'g.jsonl' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatasetError);
    const { problems, message } = error as DatasetError;
    expect(problems).toHaveLength(20);
    expect(problems[0]).toBe('g.jsonl:1: not valid JSON');
    expect(problems[3]).toBe('g.jsonl:5: not valid JSON');
    const lines = message.split('\n');
    expect(lines[0]).toBe('g.jsonl: 24 problems, nothing was imported:');
    expect(lines[1]).toBe('  g.jsonl:1: not valid JSON');
    expect(lines[21]).toBe('  … and 4 more');
    expect(lines[22]).toMatch(/^Fix: each non-empty line must be one JSON object: \{"id"\?/);
    expect(lines).toHaveLength(23);
  });

  test.each([
    ['jsonl', /^Fix: each non-empty line must be one JSON object/],
    ['csv', /^Fix: the first row must be a header naming the columns: id, input, expected, tags \(separated by ";"\)/],
    ['yaml', /^Fix: the document must be a list of cases, or a mapping \{cases: \[\.\.\.\]\}/],
  ] as const)('%s errors end with the expected shape', (format, fix) => {
    expect(() => parseDataset('', format, { source: 's' })).toThrow(DatasetError);
    try {
      parseDataset('', format, { source: 's' });
    } catch (err) {
      expect((err as DatasetError).problems).toEqual(['s: no cases; add at least one']);
      expect((err as DatasetError).message.split('\n').at(-1)).toMatch(fix);
    }
  });

  test('an unknown format is refused', () => {
    expect(() => parseDataset('', 'json' as DatasetFormat, { source: 's' })).toThrow(
      's: unknown dataset format "json"; use jsonl, csv or yaml',
    );
  });
});

describe('limits', () => {
  const max = DATASET_LIMITS.maxFieldBytes;

  test.each([
    ['jsonl', (s: string) => JSON.stringify({ input: s }), 'd.jsonl:1: input'],
    [
      'jsonl',
      (s: string) => JSON.stringify({ input: 'x', assertions: [{ type: 'contains', value: s }] }),
      'd.jsonl:1: assertions.0.value',
    ],
    ['csv', (s: string) => `id,input\na,${s}`, 'd.csv:2: input'],
    ['csv', (s: string) => `input,assert:contains\na,${s}`, 'd.csv:2: assert:contains'],
    ['yaml', (s: string) => `- input: a\n- vars: { long: ${s} }`, 'd.yaml:2: vars.long'],
  ] as const)('%s: a field may hold 100 KB, not a byte more (%#)', (format, write, where) => {
    expect(parseDataset(write('x'.repeat(max)), format, { source: `d.${format}` })).toHaveLength(
      format === 'yaml' ? 2 : 1,
    );
    expect(problemsOf(write('x'.repeat(max + 1)), format)).toEqual([
      `${where}: ${max + 1} bytes is over the 100 KB limit for one field`,
    ]);
  });

  test('field size counts UTF-8 bytes, not characters', () => {
    const euros = '€'.repeat(Math.floor(max / 3) + 1); // 3 bytes each
    expect(euros.length).toBeLessThan(max);
    expect(problemsOf(JSON.stringify({ input: euros }), 'jsonl')).toEqual([
      `d.jsonl:1: input: ${euros.length * 3} bytes is over the 100 KB limit for one field`,
    ]);
  });

  test.each([
    ['jsonl', (n: number) => '{"input":"x"}\n'.repeat(n), DATASET_LIMITS.maxCases + 1],
    ['csv', (n: number) => 'input\n' + 'x\n'.repeat(n), DATASET_LIMITS.maxCases + 2],
  ] as const)('%s: at most 100,000 cases', (format, write, line) => {
    expect(parseDataset(write(DATASET_LIMITS.maxCases), format, { source: 'big' })).toHaveLength(
      DATASET_LIMITS.maxCases,
    );
    expect(problemsOf(write(DATASET_LIMITS.maxCases + 1), format, { source: 'big' })).toEqual([
      `big:${line}: more than 100000 cases; split the dataset into several files`,
    ]);
  });

  test('YAML: at most 100,000 cases', () => {
    const text = '- input: x\n'.repeat(DATASET_LIMITS.maxCases + 1);
    expect(problemsOf(text, 'yaml', { source: 'big' })).toEqual([
      'big:100001: more than 100000 cases; split the dataset into several files',
    ]);
  });

  test('at most 50 MiB of text, counted in UTF-8 bytes', () => {
    const limit = DATASET_LIMITS.maxTextBytes;
    expect(problemsOf(' '.repeat(limit + 1), 'jsonl', { source: 'huge' })).toEqual([
      `huge: ${limit + 1} bytes is over the 50 MiB limit; split the dataset into several files`,
    ]);
    const accented = 'é'.repeat(limit / 2 + 1); // 2 bytes each: fewer characters than the limit, more bytes
    expect(problemsOf(accented, 'csv', { source: 'huge' })).toEqual([
      `huge: ${limit + 2} bytes is over the 50 MiB limit; split the dataset into several files`,
    ]);
  });
});
