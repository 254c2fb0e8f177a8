import { seededRandom, shuffle } from '../../../src/optimizer/random';
import { DEFAULT_SPLIT, splitDataset } from '../../../src/optimizer/split';
import type { SplitSettings } from '../../../src/optimizer/types';

const settings = (seed: number, over: Partial<SplitSettings> = {}): SplitSettings => ({
  ...DEFAULT_SPLIT,
  seed,
  ...over,
});

/** n cases over tag groups of the given sizes: group g's cases carry tag `t<g>` (and `x` for odd groups). */
function dataset(sizes: number[]) {
  return sizes.flatMap((size, g) =>
    Array.from({ length: size }, (_, i) => ({
      id: `g${g}-c${String(i).padStart(3, '0')}`,
      tags: g % 2 ? [`t${g}`, 'x'] : [`t${g}`],
    })),
  );
}

describe('splitDataset', () => {
  const cases = dataset([17, 9, 23, 1, 4, 6]); // 60 cases, six strata, one of a single case

  it('gives the same split for the same seed, whatever order the cases come in', () => {
    const a = splitDataset(cases, settings(7));
    const b = splitDataset(shuffle(cases, seededRandom(99)), settings(7));
    expect(b).toEqual(a);
    expect(a.heldOut).toBe(true);
    expect(a.seed).toBe(7);
  });

  it('gives a different split for a different seed', () => {
    const a = splitDataset(cases, settings(1));
    const b = splitDataset(cases, settings(2));
    expect(b.validation).not.toEqual(a.validation);
    // The sizes depend on the shares, not on the seed.
    expect(b.validation).toHaveLength(a.validation.length);
  });

  it('covers every case exactly once, with sizes from the shares', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = splitDataset(cases, settings(seed));
      const all = [...s.train, ...s.validation, ...s.test];
      expect(new Set(all).size).toBe(all.length);
      expect([...all].sort()).toEqual(cases.map((c) => c.id).sort());
      expect(s.validation).toHaveLength(24); // 0.4 × 60
      expect(s.test).toHaveLength(12); // 0.2 × 60
      expect(s.train).toHaveLength(24);
    }
  });

  it("keeps each tag's share within one case of its exact share in every part", () => {
    for (const seed of [11, 12, 13, 14, 15, 16, 17, 18]) {
      const s = splitDataset(cases, settings(seed));
      const tagsOf = new Map(cases.map((c) => [c.id, c.tags.join(',')]));
      for (const group of new Set(cases.map((c) => c.tags.join(',')))) {
        const size = cases.filter((c) => c.tags.join(',') === group).length;
        const inPart = (ids: string[]) => ids.filter((id) => tagsOf.get(id) === group).length;
        expect(Math.abs(inPart(s.validation) - size * 0.4)).toBeLessThan(1);
        expect(Math.abs(inPart(s.test) - size * 0.2)).toBeLessThan(1);
      }
    }
  });

  it('still meets the shares when every stratum is a single case', () => {
    const unique = Array.from({ length: 40 }, (_, i) => ({ id: `u${i}`, tags: [`only-${i}`] }));
    const a = splitDataset(unique, settings(1));
    expect(a.validation).toHaveLength(16);
    expect(a.test).toHaveLength(8);
    expect(a.train).toHaveLength(16);
    // Which singletons are held out is the seed's choice.
    expect(splitDataset(unique, settings(2)).validation).not.toEqual(a.validation);
  });

  it('ignores tag order and repeats when grouping', () => {
    const a = splitDataset(
      Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, tags: i % 2 ? ['b', 'a'] : ['a', 'b', 'a'] })),
      settings(3),
    );
    const b = splitDataset(
      Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, tags: ['a', 'b'] })),
      settings(3),
    );
    expect(a).toEqual(b);
  });

  it('makes no split below minCasesForSplit: train and validation are every case, test is empty', () => {
    const small = dataset([5, 6]); // 11 < 12
    const s = splitDataset(small, settings(1));
    expect(s.heldOut).toBe(false);
    expect(s.train).toEqual(small.map((c) => c.id).sort());
    expect(s.validation).toEqual(s.train);
    expect(s.test).toEqual([]);
  });

  it('holds out no test split below minCasesForTest', () => {
    const s = splitDataset(dataset([10, 10]), settings(1)); // 20 < 30
    expect(s.heldOut).toBe(true);
    expect(s.test).toEqual([]);
    expect(s.validation).toHaveLength(8);
    expect(s.train).toHaveLength(12);
  });

  it('refuses shares that leave no training cases, and duplicate ids', () => {
    expect(() => splitDataset(cases, settings(1, { validationShare: 0.6, testShare: 0.4 }))).toThrow(
      /no training cases/,
    );
    expect(() => splitDataset(cases, settings(1, { validationShare: 0 }))).toThrow(/validation share/);
    expect(() => splitDataset([...cases, cases[0]!], settings(1))).toThrow(/appears twice/);
  });
});

describe('seededRandom', () => {
  it('replays from its seed and stays in [0, 1)', () => {
    const a = Array.from({ length: 100 }, seededRandom(42));
    expect(Array.from({ length: 100 }, seededRandom(42))).toEqual(a);
    expect(Array.from({ length: 100 }, seededRandom(43))).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('shuffles into a permutation without touching its input', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = shuffle(items, seededRandom(5));
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...out].sort()).toEqual(items);
    expect(out).not.toEqual(items);
  });
});
