import { TokenBuckets } from '../../../src/api/rate-limit';
import { RECORD_WINDOW, recordWindowProblem } from '../../../src/library/record-window';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const at = (offsetMs: number) => ({ at: new Date(NOW + offsetMs).toISOString() });

describe('recordWindowProblem', () => {
  test('times within 5 minutes ahead and 24 hours behind pass, as do items without a time', () => {
    const items = [{}, at(0), at(5 * 60_000), at(-24 * 3_600_000), at(-60_000)];
    expect(recordWindowProblem('runs', items, NOW)).toBeUndefined();
  });

  test('a time over 5 minutes ahead names the field, the bound and the fix', () => {
    const p = recordWindowProblem('feedback', [at(0), at(5 * 60_000 + 1)], NOW);
    expect(p?.field).toBe('feedback[1].at');
    expect(p?.message).toMatch(/^feedback\[1\]\.at: .* is more than 5 minutes ahead of the server's clock/);
    expect(p?.message).toContain("check the sender's clock");
  });

  test('a time over 24 hours behind names the admin import', () => {
    const p = recordWindowProblem('runs', [at(-24 * 3_600_000 - 1)], NOW);
    expect(p?.field).toBe('runs[0].at');
    expect(p?.message).toContain('more than 24 hours in the past');
    expect(p?.message).toContain('POST /v1/admin/import/runs (admin role)');
  });

  test('the import window has no past bound but keeps the future one', () => {
    const importWindow = { futureMs: RECORD_WINDOW.futureMs, pastMs: undefined };
    expect(recordWindowProblem('runs', [at(-365 * 24 * 3_600_000)], NOW, importWindow)).toBeUndefined();
    expect(recordWindowProblem('runs', [at(3_600_000)], NOW, importWindow)?.field).toBe('runs[0].at');
  });
});

describe('TokenBuckets', () => {
  test('a burst passes, the next request waits for a token, and tokens come back at the rate', () => {
    let t = 0;
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 }, () => t);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBe(500); // one token every 500 ms
    t = 250;
    expect(buckets.take('a')).toBe(250);
    t = 500;
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(500);
  });

  test('each key has its own bucket', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, () => 0);
    expect(buckets.take('will')).toBe(0);
    expect(buckets.take('will')).toBe(1000);
    expect(buckets.take('wanda')).toBe(0);
  });

  test('a refused request takes no token: waiting the answer is enough', () => {
    let t = 0;
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, () => t);
    buckets.take('a');
    for (let i = 0; i < 5; i++) expect(buckets.take('a')).toBe(1000);
    t = 1000;
    expect(buckets.take('a')).toBe(0);
  });
});
