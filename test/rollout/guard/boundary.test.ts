import { logMixtureRatio, mixtureBoundary } from '../../../src/rollout/guard/boundary';
import { erfc, normalCdf } from '../../../src/rollout/guard/normal';
import { gaussian, mulberry32 } from './sim';

describe('normal distribution', () => {
  test.each([
    [0, 0.5],
    [1.959964, 0.975],
    [-1.644854, 0.05],
    [2.326348, 0.99],
    [-3.090232, 0.001],
    [3.719016, 0.9999],
  ])('Φ(%f) ≈ %f', (z, p) => {
    expect(normalCdf(z)).toBeCloseTo(p, 6);
  });

  test('erfc keeps relative accuracy in the far tail', () => {
    // erfc(4) = 1.541725790028002e-8 (reference value).
    expect(erfc(4) / 1.541725790028002e-8).toBeCloseTo(1, 5);
    expect(erfc(-4)).toBeCloseTo(2, 7);
  });
});

describe('mixture boundary', () => {
  const alpha = 0.05 / 6;

  test('the boundary is exactly where the mixture ratio reaches 1/α', () => {
    for (const r of [0.5, 3, 10, 40, 200]) {
      const b = mixtureBoundary(r, alpha);
      expect(logMixtureRatio(b, r)).toBeCloseTo(Math.log(1 / alpha), 6);
      expect(logMixtureRatio(b - 0.01, r)).toBeLessThan(Math.log(1 / alpha));
    }
  });

  test('no information: nothing can cross; smaller α: a higher boundary', () => {
    expect(mixtureBoundary(0, alpha)).toBe(Number.POSITIVE_INFINITY);
    expect(logMixtureRatio(5, 0)).toBe(0);
    expect(mixtureBoundary(10, 0.001)).toBeGreaterThan(mixtureBoundary(10, 0.01));
  });

  test('the price of peeking: above the fixed-sample z, below Bonferroni over just 60 looks', () => {
    // One-sided z at α/6 for a single look is 2.39; Bonferroni over 60 looks (α/360) needs 3.64 and is
    // valid only for those 60 looks. The mixture boundary is ≈ 3.41 at 300 per arm and holds for any number.
    const b = mixtureBoundary(0.25 ** 2 * 150, alpha);
    expect(b).toBeGreaterThan(2.39);
    expect(b).toBeLessThan(3.63);
  });

  test('Ville: a null Gaussian random walk, watched after every observation, rarely crosses', () => {
    // 2000 walks × 2000 looks each at α = 0.05: Ville's inequality bounds the crossing rate by α
    // for unlimited looks (measured here: 3.65%; a finite horizon and discrete looks leave some slack).
    const rand = mulberry32(7);
    let crossed = 0;
    const walks = 2000;
    for (let w = 0; w < walks; w++) {
      let sum = 0;
      for (let n = 1; n <= 2000; n++) {
        sum += gaussian(rand);
        const z = sum / Math.sqrt(n);
        if (z > 2 && logMixtureRatio(z, 0.0625 * n) >= Math.log(1 / 0.05)) {
          crossed++;
          break;
        }
      }
    }
    expect(crossed / walks).toBeLessThan(0.05);
  });
});
