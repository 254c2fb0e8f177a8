import { percentile } from '../../../src/eval/stats';
import { DEFAULT_GUARD_POLICY, evaluateGuard, statsOf, type ArmCounts } from '../../../src/rollout/guard';
import { emptyArm, lognormal, mulberry32 } from './sim';

/** The raw samples behind arm(): the same on every call. */
function samples(): { latencies: number[]; tokens: number[] } {
  const rand = mulberry32(11);
  return {
    latencies: Array.from({ length: 500 }, () => lognormal(rand, 900, 0.6)),
    tokens: Array.from({ length: 500 }, () => Math.round(lognormal(rand, 450, 0.35))),
  };
}

/** A healthy arm with exact counts: 1000 runs, identical across arms unless a test changes one signal. */
function arm(overrides: Partial<ArmCounts> = {}): ArmCounts {
  const { latencies, tokens } = samples();
  return {
    runs: 1000,
    errors: 20,
    formatJudged: 1000,
    formatFailed: 50,
    thumbsUp: 540,
    thumbsDown: 60,
    correctedOrRegenerated: 80,
    latency: statsOf(latencies),
    tokens: statsOf(tokens),
    ...overrides,
  };
}

function votes(total: number, downs: number): ArmCounts {
  return { ...emptyArm(), runs: total, thumbsUp: total - downs, thumbsDown: downs };
}

const signal = (v: ReturnType<typeof evaluateGuard>, name: string) => v.signals.find((s) => s.signal === name)!;

describe('evaluateGuard', () => {
  test('defaults', () => {
    expect(DEFAULT_GUARD_POLICY).toMatchObject({ alpha: 0.05, minSamples: 100, minRelativeIncrease: 0.2 });
    expect(DEFAULT_GUARD_POLICY.signals).toHaveLength(6);
  });

  test('identical arms: no breach, every signal at z = 0', () => {
    const v = evaluateGuard(arm(), arm());
    expect(v.breach).toBe(false);
    expect(v.signals.map((s) => s.statistic)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(v.evidence).toMatch(/^No breach on 6 signals\./);
  });

  test('thumbs-down 10% → 20% breaches at 300 votes per arm, not below minSamples', () => {
    // At 300 votes each z = 3.43 against a boundary of 3.41: just across, as expected for the sample
    // size where this effect becomes detectable under continuous monitoring.
    const at300 = evaluateGuard(votes(300, 30), votes(300, 60));
    const td = signal(at300, 'thumbs-down-rate');
    expect(td).toMatchObject({ control: 0.1, canary: 0.2, enoughSamples: true, breach: true });
    expect(td.statistic).toBeGreaterThanOrEqual(td.threshold);
    expect(at300.breach).toBe(true);
    expect(at300.evidence).toContain('thumbs-down-rate: canary 20.0% vs control 10.0% (+10.0 pts, +100%)');

    // 90 votes per arm: even a 10% → 40% jump waits for samples.
    for (const downs of [18, 36]) {
      const early = evaluateGuard(votes(90, 9), votes(90, downs));
      expect(signal(early, 'thumbs-down-rate')).toMatchObject({ enoughSamples: false, breach: false });
      expect(early.breach).toBe(false);
      expect(early.evidence).toContain('Waiting for samples');
    }
    // One arm short is enough to wait.
    expect(evaluateGuard(votes(99, 10), votes(400, 80)).breach).toBe(false);
  });

  test.each([
    ['error-rate', { errors: 60 }, ['6.0%', '2.0%']],
    ['format-failure-rate', { formatFailed: 100 }, ['10.0%', '5.0%']],
    ['correction-rate', { correctedOrRegenerated: 140 }, ['14.0%', '8.0%']],
    ['thumbs-down-rate', { thumbsUp: 480, thumbsDown: 120 }, ['20.0%', '10.0%']],
  ] as const)('%s degradation alone breaches with the numbers in the evidence', (name, canary, numbers) => {
    const v = evaluateGuard(arm(), arm(canary));
    expect(v.breach).toBe(true);
    expect(v.signals.filter((s) => s.breach).map((s) => s.signal)).toEqual([name]);
    expect(v.evidence).toContain(`Guard breach on 1 of 6 signals (${name})`);
    for (const n of numbers) expect(v.evidence).toContain(n);
  });

  test('p95 latency +50% alone breaches', () => {
    const base = arm();
    const { latencies } = samples();
    const v = evaluateGuard(base, { ...base, latency: statsOf(latencies.map((x) => x * 1.5)) });
    const lat = signal(v, 'p95-latency');
    expect(lat.breach).toBe(true);
    expect(lat.canary / lat.control).toBeCloseTo(1.5, 6);
    // The reported p95s come from the arms' histograms: each within a bucket (≈ 1 %) of the exact nearest rank.
    expect(lat.control / percentile(latencies, 95)).toBeCloseTo(1, 2);
    expect(
      lat.canary /
        percentile(
          latencies.map((x) => x * 1.5),
          95,
        ),
    ).toBeCloseTo(1, 2);
    expect(v.signals.filter((s) => s.breach)).toHaveLength(1);
    expect(v.evidence).toContain('p95-latency');
    expect(v.evidence).toContain(`canary ${lat.canary.toFixed(0)} ms vs control ${lat.control.toFixed(0)} ms (+50%)`);
  });

  test('tokens per call +40% alone breaches', () => {
    const base = arm();
    const { tokens } = samples();
    const v = evaluateGuard(base, { ...base, tokens: statsOf(tokens.map((x) => Math.round(x * 1.4))) });
    const tok = signal(v, 'tokens-per-call');
    expect(tok.breach).toBe(true);
    expect(tok.canary / tok.control).toBeCloseTo(1.4, 2);
    expect(v.signals.filter((s) => s.breach)).toHaveLength(1);
    expect(v.evidence).toMatch(/tokens-per-call: canary \d+ tokens vs control \d+ tokens \(\+40%\)/);
  });

  test('an improved canary never breaches, however large the sample', () => {
    for (const scale of [1, 10, 100]) {
      const base = arm();
      const { latencies, tokens } = samples();
      const control: ArmCounts = {
        ...base,
        runs: 1000 * scale,
        errors: 20 * scale,
        formatJudged: 1000 * scale,
        formatFailed: 50 * scale,
        thumbsUp: 540 * scale,
        thumbsDown: 60 * scale,
        correctedOrRegenerated: 80 * scale,
      };
      const canary: ArmCounts = {
        ...control,
        errors: 5 * scale,
        formatFailed: 10 * scale,
        thumbsUp: 585 * scale,
        thumbsDown: 15 * scale,
        correctedOrRegenerated: 20 * scale,
        latency: statsOf(latencies.map((x) => x / 2)),
        tokens: statsOf(tokens.map((x) => Math.round(x / 2))),
      };
      const v = evaluateGuard(control, canary);
      expect(v.breach).toBe(false);
      for (const s of v.signals) {
        expect(s.statistic).toBeLessThan(0);
        expect(s.detail).toMatch(/canary not worse$/);
      }
    }
  });

  test('practical floor: a real but small regression does not breach', () => {
    // 2.0% → 2.3% over 200k runs per arm: z ≈ 6.5, but only +15% relative.
    const relative = evaluateGuard(
      { ...emptyArm(), runs: 200_000, errors: 4000 },
      { ...emptyArm(), runs: 200_000, errors: 4600 },
    );
    const e = signal(relative, 'error-rate');
    expect(e.statistic).toBeGreaterThan(e.threshold);
    expect(e.breach).toBe(false);
    expect(e.detail).toContain('below the practical floor');
    // 0.5% → 0.8%: +60% relative but only +0.3 points.
    const absolute = evaluateGuard(
      { ...emptyArm(), runs: 200_000, errors: 1000 },
      { ...emptyArm(), runs: 200_000, errors: 1600 },
    );
    expect(signal(absolute, 'error-rate').statistic).toBeGreaterThan(signal(absolute, 'error-rate').threshold);
    expect(absolute.breach).toBe(false);
    // Lowering the floors makes both breach.
    const loose = { minRelativeIncrease: 0.1, minAbsoluteIncrease: 0.001 };
    expect(
      evaluateGuard(
        { ...emptyArm(), runs: 200_000, errors: 4000 },
        { ...emptyArm(), runs: 200_000, errors: 4600 },
        loose,
      ).breach,
    ).toBe(true);
    expect(
      evaluateGuard(
        { ...emptyArm(), runs: 200_000, errors: 1000 },
        { ...emptyArm(), runs: 200_000, errors: 1600 },
        loose,
      ).breach,
    ).toBe(true);
  });

  test('signals subset: only those are evaluated, and α is split over them alone', () => {
    const all = evaluateGuard(votes(300, 30), votes(300, 60));
    const one = evaluateGuard(votes(300, 30), votes(300, 60), { signals: ['thumbs-down-rate'] });
    expect(one.signals.map((s) => s.signal)).toEqual(['thumbs-down-rate']);
    expect(one.signals[0]!.threshold).toBeLessThan(signal(all, 'thumbs-down-rate').threshold);
    expect(one.evidence).toContain('split over 1 signal (0.050 each)');
    // An explicit undefined keeps the default rather than erasing it.
    expect(
      evaluateGuard(votes(300, 30), votes(300, 60), { signals: undefined, alpha: undefined }).signals,
    ).toHaveLength(6);
  });

  test('a lower α or a higher minSamples makes the guard stricter', () => {
    expect(evaluateGuard(votes(300, 30), votes(300, 60), { alpha: 0.01 }).breach).toBe(false);
    expect(evaluateGuard(votes(300, 30), votes(300, 60), { minSamples: 301 }).breach).toBe(false);
  });

  test('unusable latency samples are dropped; constant arms compare exactly', () => {
    const control = { ...emptyArm(), latency: statsOf([...Array<number>(150).fill(100), NaN, -1]) };
    const canary = { ...emptyArm(), latency: statsOf(Array<number>(150).fill(200)) };
    const lat = signal(evaluateGuard(control, canary), 'p95-latency');
    expect(lat.samples).toEqual({ control: 150, canary: 150 });
    expect(lat).toMatchObject({ control: 100, canary: 200, breach: true });
    expect(lat.statistic).toBeGreaterThan(1e6);
  });

  test('rejects invalid policies and inconsistent counts', () => {
    expect(() => evaluateGuard(arm(), arm(), { alpha: 0 })).toThrow(RangeError);
    expect(() => evaluateGuard(arm(), arm(), { alpha: 1.5 })).toThrow(RangeError);
    expect(() => evaluateGuard(arm(), arm(), { minSamples: 1 })).toThrow(RangeError);
    expect(() => evaluateGuard(arm(), arm(), { minRelativeIncrease: -0.1 })).toThrow(RangeError);
    expect(() => evaluateGuard(arm(), arm(), { signals: ['latency' as never] })).toThrow(/unknown guard signal/);
    expect(() => evaluateGuard(arm({ errors: 1001 }), arm())).toThrow(/control.errors \(1001\) exceeds control.runs/);
    expect(() => evaluateGuard(arm(), arm({ thumbsDown: -1 }))).toThrow(/canary.thumbsDown/);
    expect(() => evaluateGuard(arm(), arm({ runs: 1.5 }))).toThrow(RangeError);
  });
});
