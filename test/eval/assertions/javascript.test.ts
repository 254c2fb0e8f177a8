import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAssertion, scriptsInFolder, type AssertionContext } from '../../../src/eval/assertions';
import { NO_HOST } from '../../../src/eval/assertions/sandbox-limits';
import { ctx, FIXTURES } from './context';

const EXPECTED = 'expected a boolean, a number or { pass, score?, reason? }';

async function run(file: string, context: AssertionContext, timeoutMs?: number) {
  return runAssertion({ type: 'javascript', file, timeoutMs }, context);
}

describe('javascript assertions', () => {
  test.each<[string, string, AssertionContext, boolean, number, string]>([
    ['a true boolean', 'bool.cjs', ctx('yes please'), true, 1, ''],
    ['a false boolean', 'bool.cjs', ctx('no'), false, 0, 'returned false'],
    ['a high number', 'number.cjs', ctx('', { vars: { score: 0.8 } }), true, 0.8, ''],
    ['exactly 0.5', 'number.cjs', ctx('', { vars: { score: 0.5 } }), true, 0.5, ''],
    ['a low number', 'number.cjs', ctx('', { vars: { score: 0.3 } }), false, 0.3, 'returned score 0.3, below 0.5'],
    ['a number above 1, clamped', 'number.cjs', ctx('', { vars: { score: 7 } }), true, 1, ''],
    ['a string', 'number.cjs', ctx('', { vars: { score: 'high' } }), false, 0, `returned a string; ${EXPECTED}`],
    ['nothing', 'number.cjs', ctx(''), false, 0, `returned a undefined; ${EXPECTED}`],
    [
      'a passing object',
      'object.cjs',
      ctx('', { vars: { result: { pass: true, score: 0.9, reason: 'fine' } } }),
      true,
      0.9,
      'fine',
    ],
    [
      'a failing object with a reason',
      'object.cjs',
      ctx('', { vars: { result: { pass: false, reason: 'too rude' } } }),
      false,
      0,
      'too rude',
    ],
    [
      'a failing object with a score',
      'object.cjs',
      ctx('', { vars: { result: { pass: false, score: 0.4 } } }),
      false,
      0.4,
      'returned pass: false',
    ],
    [
      'an object without pass',
      'object.cjs',
      ctx('', { vars: { result: { score: 1 } } }),
      false,
      0,
      `returned an object without a boolean pass; ${EXPECTED}`,
    ],
    [
      'an object with a non-numeric score',
      'object.cjs',
      ctx('', { vars: { result: { pass: true, score: 'A+' } } }),
      false,
      0,
      `returned a non-numeric score; ${EXPECTED}`,
    ],
    ['null', 'object.cjs', ctx('', { vars: { result: null } }), false, 0, `returned null; ${EXPECTED}`],
    ['an array', 'object.cjs', ctx('', { vars: { result: [true] } }), false, 0, `returned an array; ${EXPECTED}`],
    ['an ES module default export', 'esm.mjs', ctx('hello'), true, 0.75, 'from an ES module'],
    ['an exports.default function', 'default-export.cjs', ctx('ok'), true, 1, ''],
    ['a .js file in CommonJS', 'commonjs.js', ctx('ok'), true, 1, ''],
    ['a .js file with ES module syntax', 'esm-syntax.js', ctx('ok'), true, 1, 'esm in .js'],
    [
      'an ES module whose top-level await never settles',
      'awaits-forever.mjs',
      ctx('ok'),
      false,
      0,
      'module evaluation never finished (top-level await on a promise that never settles)',
    ],
    ['a thrown error', 'throws.cjs', ctx('x'), false, 0, 'boom: no answer'],
    ['no exported function', 'not-a-function.cjs', ctx('x'), false, 0, 'not-a-function.cjs does not export a function'],
    ['process.exit, with no process to exit', 'exits.cjs', ctx('x'), false, 0, `'process' is not defined: ${NO_HOST}`],
    ['a missing file', 'checks/missing.cjs', ctx('x'), false, 0, 'checks/missing.cjs: file not found'],
    [
      'a file outside baseDir',
      '../outside.cjs',
      ctx('x'),
      false,
      0,
      '../outside.cjs: must stay inside the dataset directory (no "..")',
    ],
    [
      'a missing baseDir',
      'bool.cjs',
      ctx('x', { scripts: scriptsInFolder(path.join(FIXTURES, 'nope')) }),
      false,
      0,
      'bool.cjs: file not found',
    ],
  ])('%s', async (_name, file, context, pass, score, reason) => {
    expect(await run(file, context)).toEqual({ type: 'javascript', pass, score, weight: 1, reason });
  });

  test('an absolute path is refused, even one inside baseDir', async () => {
    const file = path.join(FIXTURES, 'bool.cjs');
    const result = await run(file, ctx('yes'));
    expect(result).toMatchObject({ pass: false, reason: `${file}: must be a relative path, not absolute` });
  });

  test('a symlink pointing outside baseDir is refused', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'refinery-assert-'));
    try {
      fs.symlinkSync(path.join(FIXTURES, 'bool.cjs'), path.join(base, 'link.cjs'));
      const result = await run('link.cjs', ctx('yes', { scripts: scriptsInFolder(base) }));
      expect(result).toMatchObject({ pass: false, reason: 'link.cjs: resolves outside the dataset directory' });
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  test.each([
    [500, 500],
    [2000, undefined], // the default limit
  ])('an infinite loop is killed at the %i ms limit (timeoutMs %p)', async (limit, timeoutMs) => {
    const started = Date.now();
    const result = await run('loop.cjs', ctx('x'), timeoutMs);
    const elapsed = Date.now() - started;
    expect(result).toEqual({
      type: 'javascript',
      pass: false,
      score: 0,
      weight: 1,
      reason: `timed out after ${limit} ms`,
    });
    // Not cut early; the reason above shows the limit's timer is what ended it (a hang would meet jest's timeout).
    expect(elapsed).toBeGreaterThanOrEqual(limit - 10);
  });

  test('a function as the result fails naming its kind', async () => {
    const result = await run('returns-function.cjs', ctx('x'));
    expect(result).toMatchObject({ pass: false, reason: `returned a function; ${EXPECTED}` });
  });

  test('the script gets plain data only, and not the parent environment', async () => {
    process.env.REFINERY_TEST_SECRET = 's3cret';
    try {
      const context = ctx('the output', {
        vars: { topic: 'cats', nested: { n: [1, 2] }, when: new Date(0), fn: () => 1 },
        expected: 'cats are great',
        outputTokens: 42,
        latencyMs: 812,
      });
      const result = await run('echo-context.cjs', context);
      expect(JSON.parse(result.reason)).toEqual({
        output: 'the output',
        context: {
          vars: { topic: 'cats', nested: { n: [1, 2] }, when: '1970-01-01T00:00:00.000Z' },
          expected: 'cats are great',
          outputTokens: 42,
          latencyMs: 812,
        },
        env: null,
      });
    } finally {
      delete process.env.REFINERY_TEST_SECRET;
    }
  });

  test('vars that cannot become JSON fail clearly', async () => {
    const result = await run('bool.cjs', ctx('yes', { vars: { big: 10n } }));
    expect(result).toMatchObject({
      pass: false,
      reason: 'vars are not JSON-serialisable: Do not know how to serialize a BigInt',
    });
  });

  test('no state survives between calls, in sequence or in parallel', async () => {
    const first = await run('counter.cjs', ctx('x'));
    const second = await run('counter.cjs', ctx('x'));
    const parallel = await Promise.all([1, 2, 3].map(() => run('counter.cjs', ctx('x'))));
    for (const result of [first, second, ...parallel]) {
      expect(result).toMatchObject({ pass: true, reason: 'calls=1 seen=1' });
    }
  });

  test("a script's console output does not reach the parent's stdout", async () => {
    const write = jest.spyOn(process.stdout, 'write');
    try {
      expect((await run('noisy.cjs', ctx('x'))).pass).toBe(true);
      const written = write.mock.calls.map((call) => String(call[0])).join('');
      expect(written).not.toContain('noise from an assertion script');
    } finally {
      write.mockRestore();
    }
  });
});
