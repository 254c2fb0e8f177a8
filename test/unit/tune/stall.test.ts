import { RECURRING_ITERATIONS_LIMIT, recurringInRun, stallForTermination } from '../../../src/tune/stall';
import type { IterationRecord } from '../../../src/tune/types';
import { uniformDimensions } from '../../../src/tune/scoring';

const iter = (n: number, weaknessCategories: string[]): IterationRecord => ({
  iteration: n,
  snapshot: { s: `h${n}` },
  score: 60,
  dimensions: uniformDimensions(60),
  perSkill: [{ skill: 's', score: 60 }],
  weaknessCategories,
  errors: [],
  tokens: 0,
  costUsd: 0,
});
const run = (...cats: string[][]) => cats.map((c, i) => iter(i + 1, c));

describe('recurringInRun', () => {
  test('the limit is three iterations', () => {
    expect(RECURRING_ITERATIONS_LIMIT).toBe(3);
  });

  test.each<[string, IterationRecord[], string[], string | undefined, number | undefined]>([
    ['no iterations', [], [], undefined, undefined],
    ['a category in exactly 3 iterations does not stall', run(['a'], ['a'], ['a']), [], undefined, undefined],
    ['a category in 4 iterations stalls', run(['a'], ['a'], ['a'], ['a']), [], 'a', 4],
    ['a category in 5 iterations, with gaps', run(['a'], ['b'], ['a'], ['a'], ['a'], ['a']), [], 'a', 5],
    ['duplicates within one iteration count once', run(['a', 'a', 'a', 'a'], ['a', 'a']), [], undefined, undefined],
    [
      'duplicates do not push 3 iterations over the limit',
      run(['a', 'a'], ['a', 'a'], ['a', 'a']),
      [],
      undefined,
      undefined,
    ],
    ['an acknowledged category is skipped', run(['a'], ['a'], ['a'], ['a']), ['a'], undefined, undefined],
    [
      'the next category is reported when the first is acknowledged',
      run(['a', 'b'], ['a', 'b'], ['a', 'b'], ['a', 'b'], ['a']),
      ['a'],
      'b',
      4,
    ],
    [
      'the most frequent category is reported first',
      run(['b', 'a'], ['b', 'a'], ['b', 'a'], ['b', 'a'], ['b']),
      [],
      'b',
      5,
    ],
    ['ties are broken alphabetically', run(['z', 'm'], ['z', 'm'], ['z', 'm'], ['m', 'z']), [], 'm', 4],
    ['an unrelated acknowledgement changes nothing', run(['a'], ['a'], ['a'], ['a']), ['b'], 'a', 4],
  ])('%s', (_name, iterations, acknowledged, category, count) => {
    const found = recurringInRun(iterations, acknowledged);
    if (category === undefined) {
      expect(found).toBeUndefined();
    } else {
      expect(found).toEqual({
        reason: 'recurring-weakness',
        category,
        detail: `weakness "${category}" recurred in ${count} iterations (limit 3)`,
      });
    }
  });

  test('does not mutate its inputs', () => {
    const iterations = run(['a'], ['a'], ['a'], ['a']);
    const copy = JSON.parse(JSON.stringify(iterations)) as IterationRecord[];
    const acknowledged = ['x'];
    recurringInRun(iterations, acknowledged);
    expect(iterations).toEqual(copy);
    expect(acknowledged).toEqual(['x']);
  });
});

describe('stallForTermination', () => {
  test.each<[Parameters<typeof stallForTermination>[0], number, number, string | undefined]>([
    ['converged', 70, 80, 'converged-below-threshold'],
    ['converged', 79.9, 80, 'converged-below-threshold'],
    ['converged', 80, 80, undefined],
    ['converged', 92, 80, undefined],
    ['error-budget', 95, 80, 'error-budget'],
    ['error-budget', 10, 80, 'error-budget'],
    ['max-iterations', 10, 80, undefined],
    ['max-iterations', 90, 80, undefined],
    ['threshold-met', 85, 80, undefined],
  ])('%s with best %d against threshold %d → %s', (reason, best, threshold, expected) => {
    expect(stallForTermination(reason, best, threshold)?.reason).toBe(expected);
  });

  test('the details say what happened', () => {
    expect(stallForTermination('converged', 72.5, 80)).toEqual({
      reason: 'converged-below-threshold',
      detail: 'scores converged at 72.5, below the threshold 80',
    });
    expect(stallForTermination('error-budget', 0, 80)).toEqual({
      reason: 'error-budget',
      detail: 'three consecutive iterations failed: the error budget is spent',
    });
  });
});
