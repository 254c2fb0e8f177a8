import { buildImproveInput } from '../../../src/cli/improve-input';
import { CliError } from '../../../src/cli/exit-codes';

describe('refinery improve: the command line as the workflow input', () => {
  test('defaults: three days of review, a week to approve, a day of checking, the rollout defaults', () => {
    const input = buildImproveInput('greet', { seed: '3' }, 'imp1', 'ana');
    expect(input).toMatchObject({
      runId: 'imp1',
      name: 'greet',
      reviewTimeoutMs: 3 * 86_400_000,
      approvalTimeoutMs: 7 * 86_400_000,
      check: { windowMs: 86_400_000, minSamples: 50 },
      gate: { passRateThreshold: 0.8 },
      rollout: { steps: [1, 10, 50, 100] },
      startedBy: 'ana',
    });
    expect(input.tune.settings).toMatchObject({ seed: 3, thenRollout: false });
    expect(input.tune.settings.outputDir).toBeUndefined();
    expect(input.skip).toBeUndefined();
  });

  test('bad flags name the flag and the fix', () => {
    const bad = (flags: Parameters<typeof buildImproveInput>[1], msg: RegExp) => {
      expect(() => buildImproveInput('greet', flags, 'imp1', 'ana')).toThrow(CliError);
      expect(() => buildImproveInput('greet', flags, 'imp1', 'ana')).toThrow(msg);
    };
    bad({ skip: 'harvest,nap' }, /--skip harvest,nap: "nap" is no step/);
    bad({ 'check-window': 'soon' }, /--check-window soon: use a duration/);
    bad({ 'gate-threshold': '80' }, /pass rate from 0 to 1/);
    bad({ steps: '10,200' }, /--steps 10,200/);
    bad({ 'check-min-samples': '0' }, /--check-min-samples 0/);
    expect(() => buildImproveInput('no/such name', {}, 'imp1', 'ana')).toThrow(CliError);
  });
});
