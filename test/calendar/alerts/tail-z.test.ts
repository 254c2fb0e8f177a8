import { binomialUpperTail, exactTailZ, logGamma, zForUpperTail } from '../../../src/calendar/alerts/tail-z';

describe('exact binomial tails as z scores', () => {
  test('logGamma matches factorials', () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 10);
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
  });

  test('the upper tail against direct sums', () => {
    expect(binomialUpperTail(3, 10, 0.5)).toBeCloseTo(1 - (1 + 10 + 45) / 1024, 12);
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
    expect(binomialUpperTail(10, 10, 0.5)).toBeCloseTo(1 / 1024, 14);
  });

  test('the normal quantile at known points', () => {
    expect(zForUpperTail(0.5)).toBeCloseTo(0, 8);
    expect(zForUpperTail(0.025)).toBeCloseTo(1.959964, 5);
    expect(zForUpperTail(0.975)).toBeCloseTo(-1.959964, 5);
    expect(zForUpperTail(2.326e-4)).toBeCloseTo(3.5, 3);
    expect(zForUpperTail(2.8665e-7)).toBeCloseTo(5, 3);
    expect(zForUpperTail(0)).toBe(40);
  });

  test('small counts: the exact tail is less alarmed than the normal approximation', () => {
    const normal = (k: number, n: number, p: number) => (k - n * p) / Math.sqrt(n * p * (1 - p));
    expect(normal(23, 1000, 0.01)).toBeGreaterThan(4);
    expect(exactTailZ(23, 1000, 0.01)).toBeLessThan(3.5);
    // With large counts the two agree closely.
    expect(Math.abs(exactTailZ(5600, 50_000, 0.1) - normal(5600, 50_000, 0.1))).toBeLessThan(0.2);
  });
});
