import { buildImproveInput } from '../../../src/cli/improve-input';
import { parseOptimizeFlags } from '../../../src/cli/optimize-input';
import { regressionImproveInput } from '../../../src/calendar/monthly/regression-tune';
import type { Regression } from '../../../src/calendar/monthly/monthly-types';
import { defaultOptimizeTune } from '../../../src/optimizer/defaults';

const regression = {
  name: 'greet',
  version: 3,
  dataset: 'greet-golden',
  datasetVersion: 2,
  passRate: 0.5,
  reasons: ['pass rate fell'],
} as unknown as Regression;

describe('the monthly regression improve input', () => {
  it('is what `refinery improve <name> --check-window 7d --skip harvest,review` builds, models and seed aside', () => {
    const fromCli = buildImproveInput('greet', { 'check-window': '7d', skip: 'harvest,review' }, 'run-1', 'calendar');
    const built = regressionImproveInput(regression, 'run-1', 'offline', 'calendar', fromCli.tune.split.seed);
    const model = { provider: 'offline', model: 'default' };
    expect(built).toEqual({
      ...fromCli,
      fallbackDataset: { name: 'greet-golden', version: 2 },
      tune: {
        ...fromCli.tune,
        settings: { ...fromCli.tune.settings, executor: model, judge: model, improver: model, seed: 1 },
      },
    });
  });

  it('draws its split seed when none is given, and keeps the proposals on seed 1', () => {
    const a = regressionImproveInput(regression, 'run-1', 'auto', 'calendar');
    expect(Number.isInteger(a.tune.split.seed)).toBe(true);
    expect(a.tune.settings.seed).toBe(1);
  });

  it('defaultOptimizeTune is the CLI parse with no flags', () => {
    const parsed = parseOptimizeFlags(['x'], { dataset: 'x', seed: '42' });
    expect(defaultOptimizeTune(42)).toEqual({
      split: parsed.split,
      settings: { ...parsed.settings, outputDir: undefined },
    });
  });
});
