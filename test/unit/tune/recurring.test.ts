import { classifyRecurring } from '../../../src/tune/recurring';
import type { RecurringFinding } from '../../../src/tune/types';

const f = (category: string, occurrence: number): RecurringFinding => ({
  skill: 'notes',
  category,
  occurrence,
  classification: occurrence === 2 ? 'RECURRING' : 'UNRESOLVED',
});

describe('classifyRecurring', () => {
  test.each<[string, string[], string[][], RecurringFinding[]]>([
    ['first run: nothing', ['a', 'b'], [], []],
    ['first occurrence with unrelated earlier runs: nothing', ['a'], [['b'], ['c']], []],
    ['second run: RECURRING', ['a'], [['a']], [f('a', 2)]],
    ['third run: UNRESOLVED', ['a'], [['a'], ['a']], [f('a', 3)]],
    ['fifth run: UNRESOLVED', ['a'], [['a'], ['a'], ['x'], ['a'], ['a']], [f('a', 5)]],
    ['duplicates in this run count once', ['a', 'a', 'a'], [['a']], [f('a', 2)]],
    ['duplicates in one earlier run count once', ['a'], [['a', 'a', 'a']], [f('a', 2)]],
    ['empty this run: nothing', [], [['a'], ['a']], []],
    ['several categories, sorted', ['c', 'a', 'b'], [['a', 'c'], ['a'], ['b', 'q']], [f('a', 3), f('b', 2), f('c', 2)]],
  ])('%s', (_name, thisRun, earlier, expected) => {
    expect(classifyRecurring('notes', thisRun, earlier)).toEqual(expected);
  });

  test('findings carry the skill name', () => {
    expect(classifyRecurring('release-notes', ['a'], [['a']])).toEqual([
      { skill: 'release-notes', category: 'a', occurrence: 2, classification: 'RECURRING' },
    ]);
  });
});
