import { assertivenessRating, assertivenessScore, type AssertivenessInput } from '../../../src/tune/assertiveness';

const input = (over: Partial<AssertivenessInput>): AssertivenessInput => ({
  iterations: 1,
  failedEvaluations: 0,
  unmetCriteria: 0,
  humanRejected: false,
  ...over,
});

describe('assertivenessScore', () => {
  test.each<[string, Partial<AssertivenessInput>, number]>([
    ['one clean iteration', {}, 100],
    ['zero iterations is not negative extra', { iterations: 0 }, 100],
    ['two iterations: one extra', { iterations: 2 }, 90],
    ['three iterations', { iterations: 3 }, 80],
    ['four iterations hit the cap', { iterations: 4 }, 70],
    ['ten iterations stay at the cap of 30', { iterations: 10 }, 70],
    ['one failed evaluation', { failedEvaluations: 1 }, 80],
    ['many failed evaluations still cost 20', { failedEvaluations: 7 }, 80],
    ['one unmet criterion', { unmetCriteria: 1 }, 90],
    ['four unmet criteria hit the cap', { unmetCriteria: 4 }, 60],
    ['nine unmet criteria stay at the cap of 40', { unmetCriteria: 9 }, 60],
    ['everything combined', { iterations: 3, failedEvaluations: 1, unmetCriteria: 2 }, 100 - 20 - 20 - 20],
    ['all caps together', { iterations: 20, failedEvaluations: 5, unmetCriteria: 20 }, 10],
    ['human rejection is 0', { humanRejected: true }, 0],
    ['human rejection overrides everything', { iterations: 3, failedEvaluations: 1, humanRejected: true }, 0],
  ])('%s', (_name, over, expected) => {
    expect(assertivenessScore(input(over))).toBe(expected);
  });
});

describe('assertivenessRating', () => {
  test.each([
    [100, 'Excellent'],
    [90, 'Excellent'],
    [89, 'Good'],
    [80, 'Good'],
    [79, 'Acceptable'],
    [70, 'Acceptable'],
    [69, 'Needs Improvement'],
    [60, 'Needs Improvement'],
    [59, 'Poor'],
    [10, 'Poor'],
    [1, 'Poor'],
    [0, 'Failed'],
  ])('%d is %s', (score, rating) => {
    expect(assertivenessRating(score)).toBe(rating);
  });

  test('the score and rating agree end to end', () => {
    expect(assertivenessRating(assertivenessScore(input({ iterations: 2, unmetCriteria: 1 })))).toBe('Good');
    expect(assertivenessRating(assertivenessScore(input({ humanRejected: true })))).toBe('Failed');
  });
});
