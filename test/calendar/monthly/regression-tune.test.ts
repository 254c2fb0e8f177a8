import type { EvalCase } from '../../../src/eval/types';
import {
  regressionScenario,
  regressionTuneSettings,
  tuneGoldenCases,
} from '../../../src/calendar/monthly/regression-tune';
import { goldenCaseSchema } from '../../../src/tune/golden';

const evalCase = (id: string, over: Partial<EvalCase> = {}): EvalCase => ({
  id,
  vars: { input: `text ${id}` },
  assertions: [{ type: 'contains', value: 'Summary', weight: 1 }],
  tags: [],
  required: false,
  ...over,
});

describe('a regression tune’s inputs', () => {
  test('golden cases: failed ones first, capped, only assertions the tune can check', () => {
    const cases = [
      evalCase('c1'),
      evalCase('c2', {
        assertions: [
          { type: 'rubric', value: 'is kind' },
          { type: 'regex', value: '^#' },
        ],
      }),
      evalCase('c3', { input: 'direct input', expected: 'Summary' }),
      evalCase('c4', { vars: { topic: 'tea', tone: 'dry' } }),
    ];
    const golden = tuneGoldenCases(cases, new Set(['c3', 'c4']), 3);
    expect(golden).toEqual([
      { input: 'direct input', expected: 'Summary', assertions: [{ type: 'contains', value: 'Summary' }] },
      { input: '{"topic":"tea","tone":"dry"}', assertions: [{ type: 'contains', value: 'Summary' }] },
      { input: 'text c1', assertions: [{ type: 'contains', value: 'Summary' }] },
    ]);
    for (const g of golden) expect(goldenCaseSchema.safeParse(g).success).toBe(true);
    expect(tuneGoldenCases([cases[1]!], new Set())[0]!.assertions).toEqual([{ type: 'regex', value: '^#' }]);
  });

  test('the scenario names the regression by numbers, and the settings name no folder (the report stays in the store)', () => {
    const text = regressionScenario(
      {
        name: 'summarise',
        kind: 'skill',
        version: 5,
        dataset: 'summaries',
        datasetVersion: 2,
        evalRunId: 'r',
        passRate: 0.5,
        previousPassRate: 1,
        reasons: ['pass rate fell 50 points'],
      },
      '2026-06-01T06:00:00.000Z',
    );
    expect(text).toContain('"summarise" v5 regressed on its golden dataset summaries v2');
    expect(text).toContain('Pass rate 50% (last month 100%)');
    const s = regressionTuneSettings('offline');
    expect(s).toMatchObject({ dryRun: false, threshold: 80 });
    expect(s.outputDir).toBeUndefined(); // no folder on any machine: the report stays in the store
    expect(s.executor).toEqual({ provider: 'offline', model: 'default' });
  });
});
