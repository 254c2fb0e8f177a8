import { pairedTest } from '../../../src/optimizer/paired-test';

describe('pairedTest', () => {
  it('gives the exact one-sided p-value of a clean sweep: 5 wins of 5 is 1/32', () => {
    const t = pairedTest([1, 1, 1, 1, 1, 0.5], [0, 0, 0, 0, 0, 0.5], 1);
    expect(t).toMatchObject({ n: 6, wins: 5, losses: 0, ties: 1 });
    expect(t.pValue).toBeCloseTo(1 / 32, 10);
    expect(t.meanDiff).toBeCloseTo(5 / 6, 10);
  });

  it('calls a child that is as often worse as better noise, and a worse child p ≈ 1', () => {
    expect(pairedTest([1, 0, 1, 0], [0, 1, 0, 1], 1).pValue).toBeGreaterThan(0.5);
    expect(pairedTest([0, 0, 0, 0], [1, 1, 1, 1], 1).pValue).toBe(1);
    expect(pairedTest([0.5, 0.5], [0.5, 0.5], 1)).toMatchObject({ pValue: 1, ties: 2 });
  });

  it('samples with a seed beyond 16 differing cases: reproducible, and small for a real improvement', () => {
    const child = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? 0 : 1));
    const parent = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 0 : 1));
    const a = pairedTest(child, parent, 42);
    expect(a.pValue).toBe(pairedTest(child, parent, 42).pValue);
    expect(a.pValue).toBeLessThan(0.01);
    expect(a.pValue).toBeGreaterThan(0);
  });

  it('refuses scores of different cases', () => {
    expect(() => pairedTest([1], [1, 0], 1)).toThrow(/same cases/);
  });
});
