import { parseDataset } from '../../../src/eval/datasets';
import { readCsvRows } from '../../../src/eval/datasets/csv-reader';
import { problemsOf, strictAssertions } from './helpers';

const source = 'golden.csv';
const rows = (text: string) => [...readCsvRows(text)];

describe('CSV reader (RFC 4180)', () => {
  test.each([
    [
      'plain LF',
      'a,b\n1,2\n',
      [
        [1, ['a', 'b']],
        [2, ['1', '2']],
      ],
    ],
    [
      'CRLF, no final line break',
      'a,b\r\n1,2',
      [
        [1, ['a', 'b']],
        [2, ['1', '2']],
      ],
    ],
    [
      'a lone CR',
      'a,b\r1,2',
      [
        [1, ['a', 'b']],
        [2, ['1', '2']],
      ],
    ],
    ['empty fields and a trailing comma', ',x,\n', [[1, ['', 'x', '']]]],
    ['quoted comma and doubled quotes', '"a,b","say ""hi"""\n', [[1, ['a,b', 'say "hi"']]]],
    ['an empty quoted field', '"",x\n', [[1, ['', 'x']]]],
    [
      'a quoted field spanning lines (CRLF inside becomes LF)',
      'h\r\n"one\r\ntwo\r\nthree"\r\nnext\r\n',
      [
        [1, ['h']],
        [2, ['one\ntwo\nthree']],
        [5, ['next']],
      ],
    ],
    [
      'blank lines keep their numbers',
      'a\n\nb\n',
      [
        [1, ['a']],
        [2, ['']],
        [3, ['b']],
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(rows(text).map((r) => [r.line, r.fields])).toEqual(expected);
    expect(rows(text).every((r) => r.error === undefined)).toBe(true);
  });

  test.each([
    ['a quote inside an unquoted field', 'ab"c,d\nnext', 'a quote inside unquoted field 1'],
    ['text after a closing quote', '"ab"c,d\nnext', 'text after the closing quote of field 1'],
  ])('%s is a row error and reading goes on', (_name, text, error) => {
    const [bad, next] = rows(text);
    expect(bad!.error).toMatch(error);
    expect(next).toEqual({ line: 2, fields: ['next'] });
  });

  test('an unclosed quote takes the rest of the file and is reported on its row', () => {
    expect(rows('a\n"b\nc\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['b\nc\n'], error: 'field 1 opens a quote that is never closed' },
    ]);
  });
});

describe('CSV datasets', () => {
  test('every column kind', () => {
    const text = [
      'id,input,expected,tags,required,assert:contains,assert:regex,assert:max-length,vars.tone,topic',
      'refund,"I want my money back, now",refund,billing; p0 ;,yes,refund,^Dear,200,formal,money',
      ',hello,,,,,,,,',
      'third,,,,0,,,,casual,',
    ].join('\n');
    expect(parseDataset(text, 'csv', { source, validateAssertions: strictAssertions })).toEqual([
      {
        id: 'refund',
        input: 'I want my money back, now',
        vars: { input: 'I want my money back, now', tone: 'formal', topic: 'money' },
        expected: 'refund',
        assertions: [
          { type: 'contains', value: 'refund' },
          { type: 'regex', value: '^Dear' },
          { type: 'max-length', value: 200 },
        ],
        tags: ['billing', 'p0'],
        required: true,
      },
      { id: 'case-2', input: 'hello', vars: { input: 'hello' }, assertions: [], tags: [], required: false },
      { id: 'third', vars: { tone: 'casual' }, assertions: [], tags: [], required: false },
    ]);
  });

  test.each([
    ['true', true],
    ['TRUE', true],
    ['Yes', true],
    ['1', true],
    ['false', false],
    ['no', false],
    ['0', false],
    ['', false],
  ])('required %j is %s', (cell, required) => {
    expect(parseDataset(`input,required\nx,${cell}\n`, 'csv', { source })[0]!.required).toBe(required);
  });

  test('vars stay strings; two assertions of one type are both kept', () => {
    const [c] = parseDataset('code,assert:contains,assert:contains\n007,a,b\n', 'csv', { source });
    expect(c!.vars).toEqual({ code: '007' });
    expect(c!.assertions).toEqual([
      { type: 'contains', value: 'a' },
      { type: 'contains', value: 'b' },
    ]);
  });

  test('BOM, CRLF, trimmed header cells and blank rows', () => {
    const text = '\uFEFFid , input\r\na,"x\r\ny"\r\n\r\n,,\r\nb,z\r\n';
    expect(parseDataset(text, 'csv', { source }).map((c) => [c.id, c.input])).toEqual([
      ['a', 'x\ny'],
      ['b', 'z'],
    ]);
  });

  test('a quoted field spanning lines: the next rows keep their physical line numbers', () => {
    const text = ['id,input', 'a,"line one', 'line two', 'line three"', 'b,x,extra', 'c,ok', 'd,y"z'].join('\n');
    expect(problemsOf(text, 'csv', { source })).toEqual([
      'golden.csv:5: 3 fields but the header has 2; quote cells that contain commas',
      'golden.csv:7: a quote inside unquoted field 2; quote the whole field and double the quote ("")',
    ]);
  });

  test.each([
    ['too few fields', 'id,input\na\n', 'golden.csv:2: 1 fields but the header has 2; quote cells that contain commas'],
    ['an unclosed quote', 'id,input\na,b\nc,"d\ne\n', 'golden.csv:3: field 2 opens a quote that is never closed'],
    [
      'a bad required flag',
      'input,required\nx,maybe\n',
      'golden.csv:2: required: expected true/false/yes/no/1/0, got "maybe"',
    ],
    [
      'a non-numeric bound',
      'input,assert:max-length\nx,long\n',
      'golden.csv:2: assert:max-length: expected a number, got "long"',
    ],
    ['a padded id', 'id,input\n a,x\n', 'golden.csv:2: id: must not start or end with whitespace'],
    [
      'a row with nothing to send',
      'id,expected\na,x\n',
      'golden.csv:2: the case has no input and no vars; give "input" or at least one variable',
    ],
    [
      'input and vars.input differ',
      'input,vars.input\na,b\n',
      'golden.csv:2: input and vars.input differ; give only one of them',
    ],
    ['duplicate ids', 'id,input\na,1\n\nb,2\na,3\n', 'golden.csv:5: duplicate case id "a" (first at line 2)'],
  ])('%s is reported with its line', (_name, text, problem) => {
    expect(problemsOf(text, 'csv', { source })).toEqual([problem]);
  });

  test("the injected validator's error names the line and the column", () => {
    const text = 'input,assert:contains,assert:smells-nice\na,b,c\n';
    expect(problemsOf(text, 'csv', { source, validateAssertions: strictAssertions })).toEqual([
      'golden.csv:2: assert:smells-nice: 0: unknown assertion type "smells-nice"',
    ]);
  });

  test('bad header names are all reported on the header line', () => {
    const text = '\n\nid,Input,,two words,vars.1a,assertions,vars,assert:,assert:Contains,topic,vars.topic,id\n';
    expect(problemsOf(text, 'csv', { source })).toEqual([
      'golden.csv:3: column 2 "Input": column names and prefixes are lowercase: id, input, expected, tags, required, assert:<type>, vars.<name>',
      'golden.csv:3: column 3: empty header name; name every column (or delete the empty one)',
      'golden.csv:3: column 4 "two words": unknown column; use id, input, expected, tags, required, assert:<type>, vars.<name>, or a variable name (letters, digits and _)',
      'golden.csv:3: column 5 "vars.1a": variable "1a" is not a valid variable name (letters, digits and _, not starting with a digit)',
      'golden.csv:3: column 6 "assertions": give each assertion its own column: assert:<type>, e.g. assert:contains',
      'golden.csv:3: column 7 "vars": name each variable in its own column: vars.<name> (or just <name>)',
      'golden.csv:3: column 8 "assert:": an assertion type is lowercase letters, digits and -, e.g. assert:contains',
      'golden.csv:3: column 9 "assert:Contains": an assertion type is lowercase letters, digits and -, e.g. assert:contains',
      'golden.csv:3: column 11 "vars.topic": the same column as column 10',
      'golden.csv:3: column 12 "id": the same column as column 1',
    ]);
  });

  test('a header alone has no cases', () => {
    expect(problemsOf('id,input\n', 'csv', { source })).toEqual(['golden.csv: no cases; add at least one']);
  });
});
