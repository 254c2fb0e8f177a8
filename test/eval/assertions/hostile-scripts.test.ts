import { runAssertion, scriptsInFolder, type AssertionContext } from '../../../src/eval/assertions';
import { HOSTILE_DIR, HOSTILE_SCRIPTS } from '../../support/hostile-scripts';
import { FIXTURES } from './context';

// A marker, not a key: shaped so no secret scanner mistakes it for a real Anthropic key.
const MARKER = 'marker-anthropic-key-hostile-unit-7f3a9c';

function ctx(output: string): AssertionContext {
  return { output, vars: { topic: 'cats' }, scripts: scriptsInFolder(HOSTILE_DIR) };
}

describe('hostile assertion scripts (unit, in this process)', () => {
  beforeAll(() => {
    process.env.ANTHROPIC_API_KEY_MARKER = MARKER;
  });
  afterAll(() => {
    delete process.env.ANTHROPIC_API_KEY_MARKER;
  });

  test.each(HOSTILE_SCRIPTS)('$file fails with a clear reason', async ({ file, reason, timeoutMs }) => {
    const result = await runAssertion({ type: 'javascript', file, timeoutMs }, ctx('the output'));
    expect(result).toMatchObject({ type: 'javascript', pass: false, score: 0 });
    expect(result.reason).toMatch(reason);
    expect(result.reason).not.toContain(MARKER);
  });

  test("the script's global object holds standard JavaScript and a discarding console, no host API", async () => {
    const result = await runAssertion(
      { type: 'javascript', file: 'lists-globals.cjs' },
      { output: '', vars: {}, scripts: scriptsInFolder(FIXTURES) },
    );
    const names = result.reason.split(',');
    expect(names).toEqual(expect.arrayContaining(['Object', 'JSON', 'Promise', 'console']));
    const host = ['process', 'require', 'module', 'fetch', 'setTimeout', 'setInterval', 'queueMicrotask', 'Buffer'];
    expect(
      names.filter((n) => [...host, 'std', 'os', 'WebAssembly', 'XMLHttpRequest', 'WebSocket'].includes(n)),
    ).toEqual([]);
  });

  test('the next script after a polluter sees clean built-ins, and the runner keeps serving', async () => {
    const polluted = await runAssertion({ type: 'javascript', file: 'pollutes-prototypes.cjs' }, ctx('x'));
    expect(polluted.pass).toBe(false);
    const next = await runAssertion({ type: 'javascript', file: 'checks-prototypes.cjs' }, ctx('x'));
    expect(next).toEqual({ type: 'javascript', pass: true, score: 1, weight: 1, reason: 'clean' });
  });
});
