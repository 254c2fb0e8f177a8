import { casePasses, evaluateGate, type CaseOutcome } from '../../src/eval/gate';
import { AdaptiveLimiter } from '../../src/eval/limiter';
import { mean, percentile, stddev, studentTCdf, welch } from '../../src/eval/stats';

const pass = (judgeScore?: number) => ({ status: 'pass' as const, judgeScore });
const fail = (judgeScore?: number) => ({ status: 'fail' as const, judgeScore });
const outcome = (caseId: string, ...samples: CaseOutcome['samples']): CaseOutcome => ({ caseId, samples });

describe('statistics', () => {
  test.each([
    // Reference values of Student's t CDF (two decimals of the standard tables).
    [0, 5, 0.5],
    [2.015, 5, 0.95],
    [2.571, 5, 0.975],
    [1.812, 10, 0.95],
    [-1.812, 10, 0.05],
    [1.96, 1e6, 0.975],
  ])('t cdf(%f, df %f) ≈ %f', (t, df, p) => {
    expect(studentTCdf(t, df)).toBeCloseTo(p, 3);
  });

  test('mean, stddev, percentiles', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(stddev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138, 3);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(99);
    expect(percentile([], 50)).toBeNaN();
  });

  test('welch: a clear drop is significant, overlapping noise is not', () => {
    expect(welch([90, 92, 91, 89, 90], [60, 62, 61, 59, 60])!.pGreater).toBeLessThan(0.001);
    expect(welch([72, 68, 75, 70, 65], [69, 71, 66, 73, 67])!.pGreater).toBeGreaterThan(0.2);
    expect(welch([80], [70, 71])).toBeUndefined();
  });
});

describe('the gate', () => {
  const cases = [
    { id: 'a', required: true },
    { id: 'b', required: false },
    { id: 'c', required: false },
    { id: 'd', required: false },
  ];
  const allPass = cases.map((c) => outcome(c.id, pass()));

  test('passes when everything passes', () => {
    expect(evaluateGate({ cases, candidate: allPass, baseline: allPass, passRateThreshold: 1 })).toMatchObject({
      passed: true,
      passRate: 1,
      failures: [],
    });
  });

  test.each([
    [
      'a required case fails',
      [outcome('a', fail()), ...allPass.slice(1)],
      undefined,
      0.5,
      'required-case-failed',
      ['a'],
    ],
    [
      'a baseline pass now fails (no repeats)',
      [...allPass.slice(0, 3), outcome('d', fail())],
      allPass,
      0.5,
      'regression',
      ['d'],
    ],
    ['a result is missing', allPass.slice(0, 3), undefined, 0.5, 'missing-or-invalid', ['d']],
    [
      'a result is an error',
      [...allPass.slice(0, 3), outcome('d', { status: 'error' as const })],
      undefined,
      0.5,
      'missing-or-invalid',
      ['d'],
    ],
    [
      'the pass rate is under the threshold',
      [...allPass.slice(0, 2), outcome('c', fail()), outcome('d', fail())],
      undefined,
      0.75,
      'pass-rate',
      ['c', 'd'],
    ],
  ])('fails when %s', (_name, candidate, baseline, threshold, cause, failing) => {
    const v = evaluateGate({ cases, candidate, baseline, passRateThreshold: threshold });
    expect(v.passed).toBe(false);
    expect(v.failures.find((f) => f.cause === cause)?.cases).toEqual(failing);
  });

  test('a flip within judge-score noise (repeats) does not fail the gate', () => {
    const baseline = [...allPass.slice(0, 3), outcome('d', pass(72), pass(68), pass(75), pass(70), pass(65))];
    const candidate = [...allPass.slice(0, 3), outcome('d', fail(69), pass(71), fail(66), pass(73), fail(67))];
    const v = evaluateGate({ cases, candidate, baseline, passRateThreshold: 0.7 });
    expect(casePasses(candidate[3]!)).toBe(false);
    expect(v.passed).toBe(true);
    expect(v.withinNoise[0]).toMatchObject({ caseId: 'd' });
  });

  test('a flip beyond noise fails it', () => {
    const baseline = [...allPass.slice(0, 3), outcome('d', pass(90), pass(92), pass(91), pass(89), pass(90))];
    const candidate = [...allPass.slice(0, 3), outcome('d', fail(60), fail(62), pass(75), fail(59), fail(60))];
    const v = evaluateGate({ cases, candidate, baseline, passRateThreshold: 0.7 });
    expect(v.failures.map((f) => f.cause)).toEqual(['regression']);
  });
});

describe('adaptive concurrency', () => {
  test('halves on 429 and climbs back one slot per window of successes', async () => {
    const l = new AdaptiveLimiter(8);
    await l.acquire();
    l.release('throttled');
    expect(l.limit).toBe(4);
    await l.acquire();
    l.release('throttled');
    expect(l.limit).toBe(2);
    for (let i = 0; i < 2; i++) {
      await l.acquire();
      l.release('ok');
    }
    expect(l.limit).toBe(3);
  });

  test('never runs more than the limit at once, and hands slots over in order', async () => {
    const l = new AdaptiveLimiter(3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await l.acquire();
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        order.push(i);
        running--;
        l.release('error');
      }),
    );
    expect(peak).toBe(3);
    expect(order).toHaveLength(20);
  });
});
