import { parseJsonOutput, runAssertion } from '../../../src/eval/assertions';
import { ctx } from './context';

const fence = (body: string, tag = 'json') => `Here it is:\n\n\`\`\`${tag}\n${body}\n\`\`\`\nDone.`;

const person = {
  type: 'object',
  required: ['name', 'age'],
  properties: {
    name: { type: 'string' },
    age: { type: 'integer', minimum: 0 },
    tags: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
};

describe('parseJsonOutput', () => {
  test.each([
    ['a bare object', '{"a":1}', { a: 1 }],
    ['a bare array with whitespace', '\n [1, 2] \n', [1, 2]],
    ['a bare scalar', '42', 42],
    ['a json fence', fence('{"a": 1}'), { a: 1 }],
    ['an upper-case JSON fence', fence('[true]', 'JSON'), [true]],
    ['the first fence that holds JSON', `${fence('not json')}\n${fence('{"b": 2}')}\n${fence('{"c": 3}')}`, { b: 2 }],
  ])('parses %s', (_name, output, value) => {
    expect(parseJsonOutput(output)).toEqual({ ok: true, value });
  });

  test.each([
    ['prose', 'hello'],
    ['an untagged fence', '```\n{"a": 1}\n```'],
    ['a fence in another language', fence('{"a": 1}', 'js')],
    ['a fence holding a scalar', fence('42')],
    ['a fence with broken JSON', fence('{"a": }')],
    ['an empty output', ''],
  ])('rejects %s', (_name, output) => {
    expect(parseJsonOutput(output)).toEqual({ ok: false });
  });
});

describe('is-json', () => {
  const notJson = 'output is not JSON and has no ```json fence holding JSON';

  test.each([
    ['plain JSON', { type: 'is-json' } as const, '{"ok": true}', true, ''],
    ['fenced JSON', { type: 'is-json' } as const, fence('{"ok": true}'), true, ''],
    ['prose', { type: 'is-json' } as const, 'Sure! {"ok": tru', false, notJson],
    ['matching the schema', { type: 'is-json', schema: person } as const, '{"name":"Ada","age":36}', true, ''],
    ['fenced and matching', { type: 'is-json', schema: person } as const, fence('{"name":"Ada","age":36}'), true, ''],
    [
      'a wrong type, named by path',
      { type: 'is-json', schema: person } as const,
      '{"name":"Ada","age":"old"}',
      false,
      'JSON does not match the schema at /age: must be integer',
    ],
    [
      'a nested error',
      { type: 'is-json', schema: person } as const,
      '{"name":"Ada","age":3,"tags":["a",7]}',
      false,
      'JSON does not match the schema at /tags/1: must be string',
    ],
    [
      'a missing property, named by its path',
      { type: 'is-json', schema: person } as const,
      '{"name":"Ada"}',
      false,
      "JSON does not match the schema at /age: must have required property 'age'",
    ],
    [
      'an extra property',
      { type: 'is-json', schema: person } as const,
      '{"name":"Ada","age":1,"x":0}',
      false,
      'JSON does not match the schema at /x: must NOT have additional properties',
    ],
    [
      'a root type mismatch',
      { type: 'is-json', schema: person } as const,
      '[1]',
      false,
      'JSON does not match the schema at /: must be object',
    ],
    ['not JSON at all, with a schema', { type: 'is-json', schema: person } as const, 'nope', false, notJson],
  ])('%s', async (_name, assertion, output, pass, reason) => {
    const result = await runAssertion(assertion, ctx(output));
    expect(result).toEqual({ type: 'is-json', pass, score: pass ? 1 : 0, weight: 1, reason });
  });

  test('a draft 2020-12 schema is understood', async () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'number' }, { type: 'string' }],
    };
    expect((await runAssertion({ type: 'is-json', schema }, ctx('[1, "a"]'))).pass).toBe(true);
    const bad = await runAssertion({ type: 'is-json', schema }, ctx('[1, 2]'));
    expect(bad.reason).toBe('JSON does not match the schema at /1: must be string');
  });
});
