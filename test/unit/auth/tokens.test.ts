import { BoundedCache } from '../../../src/api/bounded-cache';
import { parseExpiry, subjectProblem, tokenStatus } from '../../../src/library/tokens';
import { authMetrics } from '../../../src/metrics/metrics-auth';
import { renderExposition } from '../../../src/metrics/prometheus';

describe('token expiry', () => {
  test.each([
    ['12h', 12 * 3_600_000],
    ['90d', 90 * 86_400_000],
    ['4w', 28 * 86_400_000],
    ['1825d', 1825 * 86_400_000],
  ])('%s is %i ms', (text, ms) => expect(parseExpiry(text)).toEqual({ ms }));

  test('"never" is no expiry, and only when written out', () => {
    expect(parseExpiry('never')).toEqual({ ms: null });
    expect(parseExpiry('Never')).toHaveProperty('problem');
    expect(parseExpiry('')).toHaveProperty('problem');
  });

  test.each(['90', '0d', '-1d', '1.5d', '90 d', '3m', '1y', 'forever', '07d'])(
    '"%s" names the accepted forms',
    (text) => {
      expect(parseExpiry(text)).toEqual({
        problem: expect.stringMatching(/whole number of hours, days or weeks.*"never"/),
      });
    },
  );

  test('more than five years is refused: say "never" instead', () => {
    expect(parseExpiry('1826d')).toEqual({ problem: expect.stringContaining('longer than 5 years') });
  });

  test('status: revoked beats expired, expired at the instant of expiry', () => {
    const at = Date.parse('2026-12-01T00:00:00.000Z');
    expect(tokenStatus({ expiresAt: '2026-12-01T00:00:00.000Z', revokedAt: null }, at - 1)).toBe('active');
    expect(tokenStatus({ expiresAt: '2026-12-01T00:00:00.000Z', revokedAt: null }, at)).toBe('expired');
    expect(tokenStatus({ expiresAt: '2026-12-01T00:00:00.000Z', revokedAt: '2026-11-01T00:00:00.000Z' }, at)).toBe(
      'revoked',
    );
    expect(tokenStatus({ expiresAt: null, revokedAt: null }, Number.MAX_SAFE_INTEGER)).toBe('active');
  });

  test('subjects are printable and short', () => {
    expect(subjectProblem('ci-bot')).toBeUndefined();
    expect(subjectProblem('')).toMatch(/1 to 100/);
    expect(subjectProblem('x'.repeat(101))).toMatch(/1 to 100/);
    expect(subjectProblem('a\u0007b')).toMatch(/control/);
  });
});

describe('the bounded auth cache', () => {
  test('never holds more than its capacity: the least recently used entry goes first', () => {
    const c = new BoundedCache<number>(3);
    for (let i = 0; i < 1000; i++) c.set(`k${i}`, i, Infinity);
    expect(c.size).toBe(3);
    expect(c.get('k997', 0)).toBe(997);
    c.set('new', 1, Infinity); // evicts k998, the least recently used now that k997 was read
    expect(c.get('k998', 0)).toBeUndefined();
    expect(c.get('k997', 0)).toBe(997);
    expect(c.get('k999', 0)).toBe(999);
  });

  test('an entry past its deadline reads as absent and is dropped', () => {
    const c = new BoundedCache<string>(10);
    c.set('a', 'x', 100);
    expect(c.get('a', 99)).toBe('x');
    expect(c.get('a', 100)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  test('a capacity below one is a programming error', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
  });
});

describe('auth metrics', () => {
  test('every reason is written, at 0 until it happens', () => {
    const text = renderExposition(
      authMetrics({ failures: { missing: 2, unknown: 0, expired: 1, revoked: 0 }, validEntries: 4, refusedEntries: 1 }),
    );
    expect(text).toContain('# TYPE refinery_api_auth_failures_total counter');
    expect(text).toContain('refinery_api_auth_failures_total{reason="missing"} 2');
    expect(text).toContain('refinery_api_auth_failures_total{reason="unknown"} 0');
    expect(text).toContain('refinery_api_auth_failures_total{reason="expired"} 1');
    expect(text).toContain('refinery_api_auth_failures_total{reason="revoked"} 0');
    expect(text).toContain('refinery_api_auth_cache_entries{cache="valid"} 4');
  });
});
