import { scoreInterval } from '../../../src/optimizer/intervals';

describe('scoreInterval', () => {
  it('is the 95 % t-interval of the mean', () => {
    // mean 0.5, sd 0.1 (n − 1), n 5: t(0.975, 4) = 2.7764
    const i = scoreInterval([0.4, 0.5, 0.6, 0.4, 0.6]);
    expect(i.n).toBe(5);
    expect(i.mean).toBeCloseTo(0.5, 10);
    const half = (2.7764 * 0.1) / Math.sqrt(5);
    expect(i.low).toBeCloseTo(0.5 - half, 3);
    expect(i.high).toBeCloseTo(0.5 + half, 3);
  });

  it('clips to [0, 1]', () => {
    const i = scoreInterval([1, 1, 1, 0, 1]);
    expect(i.high).toBe(1);
    expect(i.low).toBeGreaterThanOrEqual(0);
    expect(i.low).toBeLessThan(i.mean);
  });

  it('is a point when every score agrees, the whole range when it cannot say', () => {
    const point = scoreInterval([0.7, 0.7, 0.7]);
    for (const x of [point.mean, point.low, point.high]) expect(x).toBeCloseTo(0.7, 10);
    expect(scoreInterval([0.7])).toEqual({ mean: 0.7, low: 0, high: 1, n: 1 });
    expect(scoreInterval([])).toEqual({ mean: 0, low: 0, high: 1, n: 0 });
  });
});
