import { evaluateAlerts, planAlerts, type Finding } from '../../../src/calendar/alerts/alert-rules';
import type { QualitySignals } from '../../../src/calendar/shared/quality-signal-store';

const signals = (over: Partial<QualitySignals> = {}): QualitySignals => ({
  name: 'greet',
  version: 3,
  windowDays: 1,
  volume: 1000,
  formatComplianceRate: 0.98,
  correctionRate: 0.05,
  errorRate: 0.01,
  thumbsDownRate: 0.1,
  votes: 400,
  meanOutputTokens: 200,
  ...over,
});

describe('alerts against a learned baseline', () => {
  const baseline = signals({ windowDays: 30, volume: 30_000, votes: 12_000 });

  test('a stable prompt raises nothing', () => {
    expect(
      evaluateAlerts(signals({ thumbsDownRate: 0.11, errorRate: 0.012, meanOutputTokens: 205 }), baseline),
    ).toEqual([]);
  });

  test.each([
    ['thumbs-down 10% → 16%: warning', { thumbsDownRate: 0.16 }, 'thumbs-down-rate', 'warning'],
    ['thumbs-down 10% → 25%: critical', { thumbsDownRate: 0.25 }, 'thumbs-down-rate', 'critical'],
    ['format compliance 98% → 93%: critical', { formatComplianceRate: 0.93 }, 'format-compliance', 'critical'],
    ['errors 1% → 2.6%: warning (exact tail z ≈ 4.2)', { errorRate: 0.026 }, 'error-rate', 'warning'],
    ['errors 1% → 3.5%: critical (exact tail z ≈ 6.1)', { errorRate: 0.035 }, 'error-rate', 'critical'],
    ['output tokens +18%: warning', { meanOutputTokens: 236 }, 'output-token-drift', 'warning'],
    ['output tokens +30%: critical', { meanOutputTokens: 260 }, 'output-token-drift', 'critical'],
  ])('%s', (_name, over, signal, severity) => {
    const f = evaluateAlerts(signals(over), baseline);
    expect(f.map((x) => [x.signal, x.severity])).toEqual([[signal, severity]]);
    expect(f[0]!.dedupeKey).toBe(`greet@3:${signal}`);
  });

  test('errors 1% → 2.3% (23 in 1,000 where 10 are expected) is within what chance gives a stable prompt', () => {
    // The normal approximation called this z ≈ 4.1, a Warning; the exact binomial tail is z ≈ 3.5 — below it.
    expect(evaluateAlerts(signals({ errorRate: 0.023 }), baseline)).toEqual([]);
  });

  test('never below the minimum samples', () => {
    expect(evaluateAlerts(signals({ thumbsDownRate: 0.5, votes: 20 }), baseline)).toEqual([]);
  });

  test('an improvement never alerts', () => {
    expect(evaluateAlerts(signals({ thumbsDownRate: 0.02, errorRate: 0, formatComplianceRate: 1 }), baseline)).toEqual(
      [],
    );
  });

  test('a per-prompt fixed threshold is an override on top of the baseline', () => {
    const f = evaluateAlerts(signals({ errorRate: 0.0115 }), baseline, {
      warningZ: 3,
      criticalZ: 5,
      minSamples: 50,
      minRelativeChange: 0.25,
      overrides: { 'error-rate': 0.011 },
    });
    expect(f.map((x) => [x.signal, x.severity])).toEqual([['error-rate', 'warning']]);
  });
});

describe('the daily review plan: dedupe and escalation', () => {
  const finding = (severity: 'warning' | 'critical'): Finding => ({
    name: 'greet',
    version: 3,
    signal: 'thumbs-down-rate',
    severity,
    baseline: 0.1,
    current: 0.16,
    z: 4,
    samples: 400,
    dedupeKey: 'greet@3:thumbs-down-rate',
    detail: 'x',
  });
  const now = new Date('2026-11-22T12:00:00Z');

  test('a new finding opens an alert; the same finding the next day is kept, not duplicated', () => {
    expect(planAlerts([finding('warning')], [], now)).toEqual([{ kind: 'open', finding: finding('warning') }]);
    const open = [
      {
        dedupeKey: 'greet@3:thumbs-down-rate',
        severity: 'warning' as const,
        openedAt: '2026-11-22T06:00:00Z',
        status: 'open' as const,
      },
    ];
    expect(planAlerts([finding('warning')], open, now)).toEqual([
      { kind: 'keep', dedupeKey: 'greet@3:thumbs-down-rate' },
    ]);
  });

  test('a warning unresolved for 24 h escalates; a growing deviation escalates at once', () => {
    const old = [
      {
        dedupeKey: 'greet@3:thumbs-down-rate',
        severity: 'warning' as const,
        openedAt: '2026-11-21T11:00:00Z',
        status: 'open' as const,
      },
    ];
    expect(planAlerts([], old, now)).toEqual([
      {
        kind: 'escalate',
        dedupeKey: 'greet@3:thumbs-down-rate',
        to: 'critical',
        reason: 'a warning unresolved for 24 h',
      },
    ]);
    const fresh = [{ ...old[0]!, openedAt: '2026-11-22T11:00:00Z' }];
    expect(planAlerts([finding('critical')], fresh, now)).toEqual([
      {
        kind: 'escalate',
        dedupeKey: 'greet@3:thumbs-down-rate',
        to: 'critical',
        reason: 'the deviation grew to critical',
      },
    ]);
  });

  test('acknowledged warnings do not escalate; resolved ones reopen when the finding returns', () => {
    const acked = [
      {
        dedupeKey: 'greet@3:thumbs-down-rate',
        severity: 'warning' as const,
        openedAt: '2026-11-20T00:00:00Z',
        status: 'acknowledged' as const,
      },
    ];
    expect(planAlerts([], acked, now)).toEqual([]);
    const resolved = [{ ...acked[0]!, status: 'resolved' as const }];
    expect(planAlerts([finding('warning')], resolved, now)[0]!.kind).toBe('open');
  });
});

describe('simulated days (seeded)', () => {
  // mulberry32: a small seeded PRNG so the simulation is the same on every run.
  const rng = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const binomial = (n: number, p: number, next: () => number) =>
    Array.from({ length: n }, next).filter((u) => u < p).length;
  const day = (next: () => number, rates: { down: number; error: number; format: number; tokens: number }) => {
    const volume = 1000;
    const votes = 400;
    return signals({
      volume,
      votes,
      thumbsDownRate: binomial(votes, rates.down, next) / votes,
      errorRate: binomial(volume, rates.error, next) / volume,
      formatComplianceRate: 1 - binomial(volume, 1 - rates.format, next) / volume,
      correctionRate: binomial(volume, 0.05, next) / volume,
      meanOutputTokens: rates.tokens * (1 + (next() - 0.5) * 0.04),
    });
  };
  const baseline = signals({ windowDays: 30, volume: 30_000, votes: 12_000 });

  test('a stable prompt raises no alert over 30 simulated days', () => {
    const next = rng(7);
    const findings = Array.from({ length: 30 }, () =>
      evaluateAlerts(day(next, { down: 0.1, error: 0.01, format: 0.98, tokens: 200 }), baseline),
    ).flat();
    console.log(`stable prompt: ${findings.length} false-positive finding(s) over 30 simulated days`);
    expect(findings).toEqual([]);
  });

  test('an injected regression raises a Warning, then a Critical', () => {
    const next = rng(11);
    // Thumbs-down creeps up a point a day from the baseline's 10 %.
    const severities = Array.from({ length: 20 }, (_, d) => {
      const f = evaluateAlerts(
        day(next, { down: 0.1 + d * 0.01, error: 0.01, format: 0.98, tokens: 200 }),
        baseline,
      ).find((x) => x.signal === 'thumbs-down-rate');
      return f?.severity ?? 'none';
    });
    const firstWarning = severities.indexOf('warning');
    const firstCritical = severities.indexOf('critical');
    console.log(`regression: first warning on day ${firstWarning + 1}, first critical on day ${firstCritical + 1}`);
    expect(firstWarning).toBeGreaterThanOrEqual(0);
    expect(firstCritical).toBeGreaterThan(firstWarning);
  });
});
