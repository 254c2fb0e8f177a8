import { changeSize, documentChange, MAX_DIFF_LINES, overBudget } from '../../../src/optimizer/change-budget';

/** Lines added plus removed by a shortest line diff: n + m − 2·LCS, computed the slow, obvious way. */
function lcsDistance(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  return a.length + b.length - 2 * t[0]![0]!;
}

/** A small seeded generator, so the random cases are the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('change size', () => {
  test('lines changed are those a shortest line diff adds and removes (random texts against a plain LCS)', () => {
    const r = rng(7);
    for (let n = 0; n < 300; n++) {
      const line = () => 'abcd'[Math.floor(r() * 4)]!;
      const a = Array.from({ length: Math.floor(r() * 12) }, line);
      const b = Array.from({ length: Math.floor(r() * 12) }, line);
      const size = documentChange(a.join('\n'), b.join('\n'));
      const expected =
        a.join('\n') === b.join('\n') ? 0 : lcsDistance(a.join('\n').split('\n'), b.join('\n').split('\n'));
      expect(size.lines).toBe(expected);
    }
  });

  test('a one-word fix in a long line costs the word, not the line', () => {
    const line = 'x'.repeat(500);
    expect(documentChange(`${line} cat ${line}\nend`, `${line} dog ${line}\nend`)).toEqual({ lines: 2, bytes: 6 });
  });

  test('an added line costs its bytes; a file created or deleted counts whole', () => {
    expect(documentChange('a\nb\n', 'a\nnew line\nb\n')).toEqual({ lines: 1, bytes: 9 });
    expect(documentChange(undefined, 'one\ntwo\n')).toEqual({ lines: 3, bytes: 8 });
    expect(documentChange('one\ntwo\n', undefined)).toEqual({ lines: 3, bytes: 8 });
    expect(documentChange('same', 'same')).toEqual({ lines: 0, bytes: 0 });
  });

  test('bytes are UTF-8 bytes', () => {
    expect(documentChange('café', 'cafè')).toEqual({ lines: 2, bytes: 4 });
  });

  test('documents add up by path', () => {
    const size = changeSize(
      [
        { path: 'a', text: 'x\ny' },
        { path: 'b', text: 'gone' },
      ],
      [
        { path: 'a', text: 'x\nz' },
        { path: 'c', text: 'new' },
      ],
    );
    expect(size).toEqual({ lines: 4, bytes: 2 + 4 + 3 });
  });

  test('a huge rewrite stops the exact diff and says "more than"', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    const size = documentChange(a, b);
    expect(size).toMatchObject({ lines: MAX_DIFF_LINES, linesAtLeast: true });
    expect(overBudget(size, { lines: 40, bytes: 1e9 })).toMatch(/changes more than 2000 lines \(budget 40\)/);
  });
});

describe('overBudget', () => {
  test('within both budgets: no reason', () => {
    expect(overBudget({ lines: 10, bytes: 400 }, { lines: 10, bytes: 400 })).toBeUndefined();
  });

  test('over either budget: a reason naming the change and the budget in both measures', () => {
    expect(overBudget({ lines: 11, bytes: 100 }, { lines: 10, bytes: 400 })).toBe(
      'over the change budget: changes 11 lines (budget 10) and 100 bytes (budget 400)',
    );
    expect(overBudget({ lines: 2, bytes: 401 }, { lines: 10, bytes: 400 })).toBe(
      'over the change budget: changes 2 lines (budget 10) and 401 bytes (budget 400)',
    );
  });
});
