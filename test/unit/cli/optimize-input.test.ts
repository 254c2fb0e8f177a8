import path from 'node:path';
import { tuneCommand } from '../../../src/cli/commands/tune';
import { CliError, EXIT } from '../../../src/cli/exit-codes';
import { OPTIMIZE_DEFAULTS, parseOptimizeFlags, type OptimizeFlags } from '../../../src/cli/optimize-input';
import { loadConfig } from '../../../src/config';

const parse = (flags: OptimizeFlags, positionals = ['greet']) =>
  parseOptimizeFlags(positionals, { dataset: 'cases@2', ...flags }, { cwd: '/work/here', drawSeed: () => 777 });

function refusal(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected a CliError, nothing was thrown');
}

describe('parseOptimizeFlags: `refinery tune <name> --dataset <name@v>`', () => {
  test('defaults: the standard preset, the documented settings, a drawn seed said to be drawn', () => {
    const p = parse({});
    expect(p.target).toEqual({ name: 'greet' });
    expect(p.dataset).toEqual({ name: 'cases', version: 2 });
    expect(p.seedDrawn).toBe(true);
    expect(p.split).toEqual({ seed: 777, validationShare: 0.4, testShare: 0.2, minCasesForSplit: 12 });
    expect(p.settings).toEqual({
      seed: 777,
      minibatchSize: 4,
      repeat: 3,
      alpha: 0.05,
      parallel: 2,
      maxRounds: 5,
      threshold: 80,
      patience: 3,
      budget: {},
      executor: { provider: 'auto', model: 'default' },
      judge: { provider: 'auto', model: 'default' },
      improver: { provider: 'auto', model: 'default' },
      changeBudget: { lines: OPTIMIZE_DEFAULTS.changeLines, bytes: OPTIMIZE_DEFAULTS.changeBytes },
      reflectionTokens: OPTIMIZE_DEFAULTS.reflectionTokens,
      decisionTimeoutMs: 7 * 86_400_000,
      dryRun: false,
      thenRollout: false,
      outputDir: path.resolve('/work/here', '.'),
    });
  });

  test('every flag lands in the input', () => {
    const p = parse(
      {
        preset: 'quick',
        'max-iterations': '9',
        seed: '42',
        repeat: '5',
        alpha: '0.01',
        parallel: '3',
        minibatch: '6',
        patience: '2',
        'budget-calls': '500',
        'budget-usd': '2.5',
        'change-lines': '10',
        'change-bytes': '900',
        'reflection-tokens': '4000',
        'validation-share': '0.3',
        'test-share': '0',
        executor: 'anthropic:claude-x',
        judge: 'gemini',
        improver: 'offline',
        'decision-timeout': '2h',
        output: 'out',
        'then-rollout': true,
      },
      ['greet@3'],
    );
    expect(p.target).toEqual({ name: 'greet', version: 3 });
    expect(p.seedDrawn).toBe(false);
    expect(p.split).toEqual({ seed: 42, validationShare: 0.3, testShare: 0, minCasesForSplit: 12 });
    expect(p.settings).toMatchObject({
      seed: 42,
      maxRounds: 9,
      threshold: 70,
      repeat: 5,
      alpha: 0.01,
      parallel: 3,
      minibatchSize: 6,
      patience: 2,
      budget: { calls: 500, usd: 2.5 },
      changeBudget: { lines: 10, bytes: 900 },
      reflectionTokens: 4000,
      executor: { provider: 'anthropic', model: 'claude-x' },
      judge: { provider: 'gemini', model: 'default' },
      improver: { provider: 'offline', model: 'default' },
      decisionTimeoutMs: 7_200_000,
      thenRollout: true,
      outputDir: path.resolve('/work/here', 'out'),
    });
  });

  test.each([
    ['quick', 3, 70],
    ['standard', 5, 80],
    ['thorough', 8, 90],
  ])('--preset %s is %i rounds to a validation mean of %i', (preset, maxRounds, threshold) => {
    expect(parse({ preset }).settings).toMatchObject({ maxRounds, threshold });
    expect(parse({ preset, threshold: '55' }).settings).toMatchObject({ maxRounds, threshold: 55 });
  });

  // Each bad value: a CliError (exit 2) naming the flag and the value, and saying what to give instead.
  test.each<[string, OptimizeFlags, RegExp]>([
    ['--preset', { preset: 'fast' }, /^--preset fast: use quick, standard or thorough$/],
    [
      '--threshold',
      { threshold: '120' },
      /^--threshold 120: expected a whole number from 0 to 101 \(the validation mean/,
    ],
    ['--threshold', { threshold: 'high' }, /^--threshold high: expected a whole number/],
    ['--max-iterations', { 'max-iterations': '0' }, /^--max-iterations 0: expected a whole number from 1 to 500/],
    ['--seed', { seed: '-1' }, /^--seed -1: expected a whole number from 0 to 2147483647/],
    ['--seed', { seed: '1.5' }, /^--seed 1\.5: expected a whole number/],
    ['--repeat', { repeat: '0' }, /^--repeat 0: expected a whole number from 1 to 20 \(samples per judge-graded/],
    ['--repeat', { repeat: '' }, /^--repeat : expected a whole number/],
    ['--alpha', { alpha: '0' }, /^--alpha 0: expected a number above 0 and at most 0\.5 \(the significance/],
    ['--alpha', { alpha: '5%' }, /^--alpha 5%: expected a number above 0/],
    ['--parallel', { parallel: '17' }, /^--parallel 17: expected a whole number from 1 to 16 \(proposals per round\)/],
    ['--minibatch', { minibatch: '0' }, /^--minibatch 0: expected a whole number from 1 to 100/],
    ['--patience', { patience: 'x' }, /^--patience x: expected a whole number from 1 to 100/],
    ['--budget-calls', { 'budget-calls': '0' }, /^--budget-calls 0: expected a whole number from 1 to 10000000/],
    ['--budget-calls', { 'budget-calls': '10.5' }, /^--budget-calls 10\.5: expected a whole number/],
    ['--budget-usd', { 'budget-usd': '0' }, /^--budget-usd 0: expected a number above 0 and at most 1000000 \(dollars/],
    ['--budget-usd', { 'budget-usd': '$5' }, /^--budget-usd \$5: expected a number above 0/],
    ['--change-lines', { 'change-lines': '0' }, /^--change-lines 0: expected a whole number from 1 to 10000/],
    ['--change-bytes', { 'change-bytes': 'lots' }, /^--change-bytes lots: expected a whole number from 1/],
    ['--reflection-tokens', { 'reflection-tokens': '10' }, /^--reflection-tokens 10: expected a whole number from 500/],
    [
      '--validation-share',
      { 'validation-share': '0' },
      /^--validation-share 0: expected a number above 0 and at most 0\.9/,
    ],
    ['--test-share', { 'test-share': '-0.1' }, /^--test-share -0\.1: expected a number from 0 to 0\.9/],
    [
      '--validation-share + --test-share',
      { 'validation-share': '0.6', 'test-share': '0.4' },
      /^--validation-share 0\.6 plus --test-share 0\.4 leave no training cases: keep their sum below 1/,
    ],
    [
      '--executor',
      { executor: 'azure:gpt' },
      /^--executor azure:gpt: provider must be anthropic, gemini, openai, offline or auto/,
    ],
    ['--judge', { judge: 'mistral' }, /^--judge mistral: provider must be/],
    ['--decision-timeout', { 'decision-timeout': 'soon' }, /^--decision-timeout soon: use a duration like 90s/],
    ['--decision-timeout', { 'decision-timeout': '10ms' }, /^--decision-timeout 10ms: give a person at least 1s/],
    ['--dataset', { dataset: '' }, /^--dataset needs a value: the golden cases to tune on, as <name>@<version>$/],
    ['--dataset', { dataset: 'cases@x' }, /^--dataset cases@x: the version after "@" must be a version number/],
    ['--dataset', { dataset: 'cases@0' }, /^--dataset cases@0: the version after "@" must be a version number/],
    ['--dataset', { dataset: 'Bad Name@1' }, /^--dataset Bad Name@1: name "Bad Name" is invalid/],
    ['--scenario', { scenario: 'do it' }, /^--scenario belongs to the folder form .*drop it, or drop --dataset$/],
    ['--golden', { golden: 'g.jsonl' }, /^--golden belongs to the folder form/],
    ['--chain', { chain: true }, /^--chain belongs to the folder form/],
    [
      '--then-rollout with --dry-run',
      { 'dry-run': true, 'then-rollout': true },
      /^--then-rollout with --dry-run: a dry run makes no version to roll out; drop one of the two flags$/,
    ],
  ])('%s: %j is refused with the fix', (_flag, flags, message) => {
    const err = refusal(() => parse(flags));
    expect(err.exitCode).toBe(EXIT.badInput);
    expect(err.message).toMatch(message);
  });

  test.each<[string[], RegExp]>([
    [[], /^name the prompt or skill to tune: refinery tune <name>\[@version\] --dataset <name@version>$/],
    [['a', 'b'], /^tune --dataset takes one library item, got 2 \(a, b\): start one run per item$/],
    [['greet@'], /^tune greet@: the version after "@" must be a version number/],
    [['Greet'], /^tune Greet: name "Greet" is invalid/],
    [
      [__dirname],
      /^tune .+: --dataset tunes a library item, and .+ is a path: push it first with `refinery push .+ --why "…"`/,
    ],
  ])('positionals %j are refused with the fix', (positionals, message) => {
    const err = refusal(() => parse({}, positionals));
    expect(err.exitCode).toBe(EXIT.badInput);
    expect(err.message).toMatch(message);
  });
});

describe('tune dispatch', () => {
  // An address nothing listens on: a command that got as far as starting would fail to connect (exit 1), not
  // with a CliError; and REFINERY_DATABASE_URL names no file, which nothing may create.
  const config = loadConfig({
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    REFINERY_DATABASE_URL: 'sqlite:/nonexistent-dir-for-refinery-tests/never.db',
  });

  test('the folder form takes the optimizer flags and checks them before reading anything', async () => {
    const refusal = async (argv: string[]) => (await tuneCommand(config, argv).catch((e: unknown) => e)) as CliError;
    for (const [flag, value, message] of [
      ['--repeat', '0', /^--repeat 0: expected a whole number from 1 to 20/],
      ['--budget-usd', '0', /^--budget-usd 0: expected a number above 0/],
      ['--validation-share', '0.95', /^--validation-share 0.95: expected a number above 0 and at most 0.9/],
    ] as const) {
      const err = await refusal(['some-skill-dir', '--scenario', 'x', flag, value]);
      expect(err).toBeInstanceOf(CliError);
      expect(err.exitCode).toBe(EXIT.badInput);
      expect(err.message).toMatch(message);
    }
    // Good values pass the flags; the missing folder is what is refused next.
    const err = await refusal([
      'some-skill-dir',
      '--scenario',
      'x',
      '--seed',
      '1',
      '--budget-usd',
      '2',
      '--then-rollout',
    ]);
    expect(err.message).toMatch(/^skill folder .*some-skill-dir does not exist/);
  });

  test('--dataset takes the optimizer path, which checks its flags before opening the store', async () => {
    const err = (await tuneCommand(config, ['greet', '--dataset', 'cases@1', '--repeat', '0']).catch(
      (e: unknown) => e,
    )) as CliError;
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toMatch(/^--repeat 0: expected a whole number from 1 to 20/);
  });
});
