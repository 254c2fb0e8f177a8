import {
  ASSERTION_WEIGHT,
  combinedScore,
  DIMENSION_WEIGHTS,
  judgeFailureScore,
  round1,
  uniformDimensions,
  weightedScore,
} from '../../../src/tune/scoring';
import type { DimensionScores } from '../../../src/tune/types';

const dims = (clarity: number, completeness: number, correctness: number, effectiveness: number, efficiency: number) =>
  ({ clarity, completeness, correctness, effectiveness, efficiency }) satisfies DimensionScores;

describe('weights', () => {
  test('the documented weights, summing to 1', () => {
    expect(DIMENSION_WEIGHTS).toEqual({
      clarity: 0.2,
      completeness: 0.25,
      correctness: 0.25,
      effectiveness: 0.2,
      efficiency: 0.1,
    });
    expect(Object.values(DIMENSION_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(ASSERTION_WEIGHT).toBe(0.2);
  });
});

describe('judgeFailureScore', () => {
  test('the judged case scores 0; golden assertions keep their share', () => {
    expect(judgeFailureScore()).toBe(0);
    expect(judgeFailureScore({ passed: 0, total: 0 })).toBe(0);
    expect(judgeFailureScore({ passed: 3, total: 4 })).toBe(15);
    expect(judgeFailureScore({ passed: 4, total: 4 })).toBe(100 * ASSERTION_WEIGHT);
  });
});

describe('weightedScore', () => {
  test.each<[string, DimensionScores, number]>([
    ['all equal', uniformDimensions(70), 70],
    ['all zero', uniformDimensions(0), 0],
    ['all hundred', uniformDimensions(100), 100],
    ['only clarity', dims(100, 0, 0, 0, 0), 20],
    ['only completeness', dims(0, 100, 0, 0, 0), 25],
    ['only correctness', dims(0, 0, 100, 0, 0), 25],
    ['only effectiveness', dims(0, 0, 0, 100, 0), 20],
    ['only efficiency', dims(0, 0, 0, 0, 100), 10],
    ['mixed, rounded to one decimal', dims(73, 81, 67, 90, 55), 75.1],
    ['mixed with halves', dims(100, 67, 50, 50, 100), 69.3],
    ['above 100 is clamped', dims(150, 100, 100, 100, 100), 100],
    ['below 0 is clamped', dims(-40, 0, 0, 0, 0), 0],
    ['clamping applies per dimension', dims(200, -50, 80, 80, 80), 20 + 0 + 20 + 16 + 8],
  ])('%s', (_name, d, expected) => {
    expect(weightedScore(d)).toBe(expected);
  });

  test('custom weights are normalised by their sum', () => {
    const weights = dims(1, 1, 1, 1, 0);
    expect(weightedScore(dims(100, 50, 50, 100, 0), weights)).toBe(75);
    expect(weightedScore(dims(10, 20, 30, 40, 100), dims(2, 0, 0, 0, 2))).toBe(55);
  });
});

describe('combinedScore', () => {
  test.each<[number, { passed: number; total: number } | undefined, number]>([
    [77.25, undefined, 77.3],
    [80, { passed: 0, total: 0 }, 80],
    [80, { passed: 4, total: 4 }, 84],
    [80, { passed: 0, total: 4 }, 64],
    [80, { passed: 3, total: 4 }, 79],
    [100, { passed: 1, total: 3 }, 86.7],
    [50, { passed: 2, total: 2 }, 60],
  ])('judge %d with assertions %j gives %d', (judge, assertions, expected) => {
    expect(combinedScore(judge, assertions)).toBe(expected);
  });
});

describe('round1 and uniformDimensions', () => {
  test.each([
    [1.25, 1.3],
    [1.24, 1.2],
    [99.95, 100],
    [0, 0],
    [-1.26, -1.3],
  ])('round1(%d) = %d', (n, expected) => {
    expect(round1(n)).toBe(expected);
  });

  test('uniformDimensions sets every dimension', () => {
    expect(uniformDimensions(42)).toEqual(dims(42, 42, 42, 42, 42));
  });
});
