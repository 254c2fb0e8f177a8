import { aggregate, type AssertionResult } from '../../../src/eval/assertions';

const r = (pass: boolean, score: number, weight = 1): AssertionResult => ({
  type: 'contains',
  pass,
  score,
  weight,
  reason: pass ? '' : 'no',
});

describe('aggregate', () => {
  test.each<[string, AssertionResult[], boolean, number, number]>([
    ['all passing', [r(true, 1), r(true, 1)], true, 1, 0],
    ['one failure fails the case', [r(true, 1), r(false, 0)], false, 0.5, 1],
    ['weights shape the mean', [r(true, 1, 3), r(false, 0, 1)], false, 0.75, 1],
    ['partial scores are averaged by weight', [r(true, 0.8, 1), r(false, 0.2, 2)], false, 0.4, 1],
    ['a weight-0 failure is informational', [r(true, 1), r(false, 0, 0)], true, 1, 0],
    ['only informational results', [r(false, 0, 0)], true, 1, 0],
    ['no results', [], true, 1, 0],
    ['a passing assertion with a low score still passes', [r(true, 0.6)], true, 0.6, 0],
  ])('%s', (_name, results, pass, score, failedCount) => {
    const out = aggregate(results);
    expect(out.pass).toBe(pass);
    expect(out.score).toBeCloseTo(score);
    expect(out.failed).toHaveLength(failedCount);
  });

  test('failed lists the failing results themselves', () => {
    const bad = r(false, 0, 2);
    expect(aggregate([r(true, 1), bad, r(false, 0, 0)]).failed).toEqual([bad]);
  });
});
