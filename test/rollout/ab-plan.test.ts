import { abCommand, abHelp } from '../../src/cli/commands/ab';
import { parseDuration } from '../../src/cli/duration';
import { CliError } from '../../src/cli/exit-codes';
import { loadConfig } from '../../src/config';
import {
  AB_DEFAULTS,
  AB_LOOKS_PER_RUN,
  AB_MAX_DURATION_MS,
  AB_MIN_INTERVAL_MS,
  abBoundsProblem,
  abShouldContinueAsNew,
  abStopProblem,
} from '../../src/rollout/ab-plan';
import type { AbStatus } from '../../src/rollout/ab-types';

const S = 1000;
const DAY = 86_400_000;

describe('abBoundsProblem', () => {
  test.each([
    ['the defaults', parseDuration(AB_DEFAULTS.interval, 'i'), parseDuration(AB_DEFAULTS.max, 'm')],
    ['the shortest interval', 10 * S, DAY],
    ['the longest test', 60 * S, 90 * DAY],
    ['an interval as long as the test', DAY, DAY],
  ])('accepts %s', (_, checkIntervalMs, maxDurationMs) => {
    expect(abBoundsProblem({ checkIntervalMs, maxDurationMs })).toBeUndefined();
  });

  test.each([
    ['an interval under 10 s', 9_999, DAY, /at least 10s/],
    ['a zero interval', 0, DAY, /at least 10s/],
    ['a NaN interval', Number.NaN, DAY, /at least 10s/],
    ['a test longer than 90 days', 60 * S, 90 * DAY + 1, /at most 90 days/],
    ['a zero duration', 60 * S, 0, /above 0/],
    ['an interval longer than the test', 2 * DAY, DAY, /not be longer/],
  ])('rejects %s', (_, checkIntervalMs, maxDurationMs, message) => {
    expect(abBoundsProblem({ checkIntervalMs, maxDurationMs })).toMatch(message);
  });

  test('the bounds are the documented ones', () => {
    expect(AB_MIN_INTERVAL_MS).toBe(10 * S);
    expect(AB_MAX_DURATION_MS).toBe(90 * DAY);
  });
});

describe('abStopProblem', () => {
  const running: AbStatus = { abId: 'ab-1', phase: 'running', samples: { a: 0, b: 0 }, waitedMs: 0, looks: 0 };

  test('a running test can be stopped by someone named', () => {
    expect(abStopProblem(running, { by: 'ana' })).toBeUndefined();
  });
  test('a stop says who stops', () => {
    expect(abStopProblem(running, { by: ' ' })).toMatch(/--by/);
  });
  test('a second stop is refused, naming the first', () => {
    expect(abStopProblem(running, { by: 'bo' }, { by: 'ana' })).toMatch(/already being stopped \(by ana\)/);
  });
  test.each(['decided', 'inconclusive', 'stopped'] as const)('an ended test (%s) cannot be stopped', (phase) => {
    expect(abStopProblem({ ...running, phase }, { by: 'ana' })).toMatch(`has ended (${phase})`);
  });
});

describe('abShouldContinueAsNew', () => {
  test('at the cap of looks per run, or when the server suggests it', () => {
    expect(abShouldContinueAsNew(AB_LOOKS_PER_RUN - 1, false)).toBe(false);
    expect(abShouldContinueAsNew(AB_LOOKS_PER_RUN, false)).toBe(true);
    expect(abShouldContinueAsNew(1, true)).toBe(true);
    expect(abShouldContinueAsNew(3, false, 3)).toBe(true);
  });
  test('the cap keeps a run under the 10,000-event warning even at 11 events a look (a normal activity)', () => {
    expect(AB_LOOKS_PER_RUN * 11).toBeLessThan(10_000);
  });
});

describe('refinery ab: help and bounds', () => {
  const config = loadConfig({ REFINERY_DATABASE_URL: 'sqlite::memory:' }, '/tmp');
  const start = (...extra: string[]) =>
    abCommand(config, ['greet', '--variants', '2,3', '--metric', 'thumbs-down-rate', ...extra]);

  test('the help states the defaults the command uses, and the bounds', () => {
    expect(abHelp).toContain(`--split ${AB_DEFAULTS.split}`);
    expect(abHelp).toContain(`--min-samples ${AB_DEFAULTS.minSamples}`);
    expect(abHelp).toContain(`--interval ${AB_DEFAULTS.interval}`);
    expect(abHelp).toContain(`--max ${AB_DEFAULTS.max}`);
    expect(abHelp).toContain('--interval at least\n  10s');
    expect(abHelp).toContain('--max at most 90d');
    expect(AB_DEFAULTS).toEqual({ split: '50,50', minSamples: 1000, interval: '1m', max: '14d' });
  });

  test.each([
    [['--interval', '5s'], /--interval 5s --max 14d: the check interval must be at least 10s/],
    [['--max', '91d'], /--interval 1m --max 91d: an A\/B test may run at most 90 days/],
  ])('%j is refused before anything starts (exit 2)', async (extra, message) => {
    const err = await start(...extra).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: 2 });
    expect((err as Error).message).toMatch(message);
  });
});
