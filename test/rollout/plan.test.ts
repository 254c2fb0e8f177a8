import { SIGNAL_MARK, viaSignal } from '../../src/user-identity';
import { rolloutHelp } from '../../src/cli/commands/rollout';
import { DEFAULT_GUARD_POLICY } from '../../src/rollout/guard';
import {
  afterLook,
  approvalProblem,
  controlProblem,
  DEFAULT_BAKE_MS,
  DEFAULT_INTERVAL_MS,
  DEFAULT_STEPS,
  durationsProblem,
  guardProblem,
  nextWaitMs,
  rolloutInputProblem,
} from '../../src/rollout/plan';
import type { RolloutStatus } from '../../src/rollout/types';

const H = 3_600_000;
const D = 24 * H;

describe('durationsProblem: the bounds the CLI and the workflow both enforce', () => {
  test.each([
    [{ bakeMs: H, evaluationIntervalMs: 60_000 }, undefined],
    [{ bakeMs: 90 * D, evaluationIntervalMs: 10_000 }, undefined],
    [{ bakeMs: H, evaluationIntervalMs: 10_000, maxBakeExtensionMs: 0 }, undefined],
    [{ bakeMs: H, evaluationIntervalMs: 9_999 }, /--interval 9.999s is under 10s/],
    [{ bakeMs: H, evaluationIntervalMs: 2_000 }, /--interval 2s is under 10s/],
    [{ bakeMs: H, evaluationIntervalMs: D + 1000 }, /--interval .* is over a day/],
    [{ bakeMs: 91 * D, evaluationIntervalMs: 60_000 }, /--bake 91d is longer than 90 days/],
    [{ bakeMs: 0, evaluationIntervalMs: 60_000 }, /--bake must be a positive duration/],
    [{ bakeMs: NaN, evaluationIntervalMs: 60_000 }, /--bake must be a positive duration/],
    [{ bakeMs: H, evaluationIntervalMs: 60_000, maxBakeExtensionMs: -1 }, /--max-bake-extension must be/],
    [{ bakeMs: H, evaluationIntervalMs: 60_000, maxBakeExtensionMs: 100 * D }, /--max-bake-extension 100d is longer/],
  ])('%j → %s', (d, expected) => {
    const problem = durationsProblem(d);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  test('rolloutInputProblem adds the id, the steps and the guard options', () => {
    const ok = { rolloutId: 'ro-1', steps: [10, 100], bakeMs: H, evaluationIntervalMs: 60_000 };
    expect(rolloutInputProblem(ok)).toBeUndefined();
    expect(rolloutInputProblem({ ...ok, rolloutId: ' ' })).toMatch(/rolloutId is required/);
    expect(rolloutInputProblem({ ...ok, steps: [50, 10] })).toMatch(/steps must increase/);
    expect(rolloutInputProblem({ ...ok, evaluationIntervalMs: 1000 })).toMatch(/under 10s/);
    expect(rolloutInputProblem({ ...ok, guard: { minSamples: 1 } })).toMatch(/--min-samples must be/);
    expect(guardProblem({ minSamples: 2.5 })).toMatch(/whole number/);
    expect(guardProblem({ alpha: 1 })).toMatch(/alpha/);
    expect(guardProblem(undefined)).toBeUndefined();
  });
});

describe('afterLook: no step without evidence', () => {
  const base = { bakeMs: H, maxBakeExtensionMs: H };
  test.each([
    [30 * 60_000, true, 'bake'], // the bake is a minimum, evidence or not
    [30 * 60_000, false, 'bake'],
    [H, true, 'advance'],
    [H, false, 'extend'],
    [H + 30 * 60_000, false, 'extend'],
    [H + 30 * 60_000, true, 'advance'],
    [2 * H, false, 'await-evidence'],
    [2 * H, true, 'advance'],
  ] as const)('baked %i ms, enough samples %s → %s', (bakedMs, enoughSamples, move) => {
    expect(afterLook({ ...base, bakedMs, enoughSamples })).toBe(move);
  });

  test('no extension: straight to a person once the bake is over', () => {
    expect(afterLook({ bakedMs: H, bakeMs: H, maxBakeExtensionMs: 0, enoughSamples: false })).toBe('await-evidence');
  });

  test('nextWaitMs lands exactly on the bake end and on the extension end', () => {
    const p = {
      bakeMs: H,
      maxBakeExtensionMs: 25 * 60_000,
      evaluationIntervalMs: 20 * 60_000,
      awaitingEvidence: false,
    };
    expect(nextWaitMs({ ...p, bakedMs: 0 })).toBe(20 * 60_000);
    expect(nextWaitMs({ ...p, bakedMs: 40 * 60_000 })).toBe(20 * 60_000);
    expect(nextWaitMs({ ...p, bakedMs: 50 * 60_000 })).toBe(10 * 60_000);
    expect(nextWaitMs({ ...p, bakedMs: H + 20 * 60_000 })).toBe(5 * 60_000);
    expect(nextWaitMs({ ...p, bakedMs: 5 * H, awaitingEvidence: true })).toBe(20 * 60_000);
  });
});

describe('who may answer while the rollout waits', () => {
  const status = (phase: RolloutStatus['phase']): RolloutStatus => ({
    rolloutId: 'r',
    name: 'n',
    candidateVersion: 2,
    phase,
    step: 1,
    percent: 1,
    events: [],
    eventCount: 0,
  });
  test('an approver answers awaiting-approval and awaiting-evidence, nobody else, nothing else', () => {
    const a = { decision: 'approve' as const, by: 'ana' };
    expect(approvalProblem(status('awaiting-approval'), a, ['ana'])).toBeUndefined();
    expect(approvalProblem(status('awaiting-evidence'), a, ['ana'])).toBeUndefined();
    expect(approvalProblem(status('awaiting-evidence'), { ...a, by: 'eve' }, ['ana'])).toMatch(/eve may not approve/);
    expect(approvalProblem(status('baking'), a, ['ana'])).toMatch(/not awaiting approval \(phase: baking\)/);
  });
  test('an unlisted admin approves only when the API vouches for both the name and the role', () => {
    const adam = { decision: 'approve' as const, by: 'adam' };
    const s = status('awaiting-approval');
    expect(approvalProblem(s, { ...adam, authenticated: true, admin: true }, ['ana'])).toBeUndefined();
    expect(approvalProblem(s, { ...adam, admin: true }, ['ana'])).toMatch(/adam may not approve/);
    expect(approvalProblem(s, { ...adam, authenticated: false, admin: true }, ['ana'])).toMatch(/may not approve/);
    expect(approvalProblem(s, { ...adam, authenticated: true }, ['ana'])).toMatch(/may not approve/);
  });
  test('a signal keeps its typed name, marked as unauthenticated', () => {
    expect(viaSignal({ decision: 'approve', by: 'ana', authenticated: true })).toEqual({
      decision: 'approve',
      by: `ana (${SIGNAL_MARK})`,
      authenticated: false,
    });
  });
  test('a rollout awaiting evidence can be paused; an ended one only emergency-rolled-back', () => {
    expect(controlProblem(status('awaiting-evidence'), { action: 'pause', by: 'ana' })).toBeUndefined();
    expect(controlProblem(status('promoted'), { action: 'abort', by: 'ana' })).toMatch(/has ended/);
  });
});

describe('rollout --help states the defaults the code uses', () => {
  test('steps, bake, interval, min samples', () => {
    expect(rolloutHelp).toContain(`--steps ${DEFAULT_STEPS.join(',')}`);
    expect(DEFAULT_BAKE_MS).toBe(H);
    expect(rolloutHelp).toContain('--bake 1h');
    expect(DEFAULT_INTERVAL_MS).toBe(60_000);
    expect(rolloutHelp).toContain('--interval 1m');
    expect(rolloutHelp).not.toContain('10m');
    expect(rolloutHelp).toContain(`--min-samples ${DEFAULT_GUARD_POLICY.minSamples}`);
    expect(rolloutHelp).toContain('--threshold 0.8');
    expect(rolloutHelp).toMatch(/--max-bake-extension as long as --bake/);
    expect(rolloutHelp).toMatch(/approval within 7d/);
  });
});
