import { parseProtoDuration, parseRetryAfter, retryAfterFromHeaders } from '../../src/providers/retry-after';

describe('retry-after parsing', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it.each([
    ['2', 2000],
    ['0.5', 500],
    [' 10 ', 10_000],
    ['Sun, 01 Jun 2025 12:00:30 GMT', 30_000],
  ])('reads "%s" as %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([undefined, null, '', 'soon', '-3', '0', 'Sun, 01 Jun 2025 11:59:00 GMT'])(
    'ignores %p, which is absent, invalid or not in the future',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );

  it('prefers retry-after-ms and falls back to retry-after', () => {
    const headers = new Headers({ 'retry-after-ms': '250', 'retry-after': '4' });
    expect(retryAfterFromHeaders((name) => headers.get(name))).toBe(250);
    const onlySeconds = new Headers({ 'retry-after': '4', 'retry-after-ms': 'x' });
    expect(retryAfterFromHeaders((name) => onlySeconds.get(name))).toBe(4000);
  });

  it.each([
    ['2s', 2000],
    ['3.5s', 3500],
    ['0.010s', 10],
  ])('reads the protobuf duration %s as %d ms', (value, ms) => {
    expect(parseProtoDuration(value)).toBe(ms);
  });

  it.each([undefined, 2, '2', '2m', ''])('ignores the protobuf duration %p', (value) => {
    expect(parseProtoDuration(value)).toBeUndefined();
  });
});
