import { stickyBucket } from '../../src/library/sticky';
import { armFor } from '../../src/rollout/assignment';

const UNITS = Array.from({ length: 10_000 }, (_, i) => `user-${i}-${(i * 2654435761) % 1_000_003}`);
const STEPS = [1, 10, 50, 100];

describe('sticky assignment (property over 10,000 units)', () => {
  test.each(['rollout-a', 'rollout-b', 'r-3f2a'])('salt %s: the split is within ±1 %% of each step', (salt) => {
    for (const percent of STEPS) {
      const candidates = UNITS.filter((u) => armFor(stickyBucket(u, salt), percent) === 'candidate').length;
      expect(Math.abs(candidates / UNITS.length - percent / 100)).toBeLessThanOrEqual(0.01);
    }
  });

  test('no unit changes arm within a rollout: a candidate at one step stays one at every later step', () => {
    const salt = 'rollout-steps';
    let previous = new Set<string>();
    for (const percent of STEPS) {
      const now = new Set(UNITS.filter((u) => armFor(stickyBucket(u, salt), percent) === 'candidate'));
      for (const u of previous) expect(now.has(u)).toBe(true);
      previous = now;
    }
    expect(previous.size).toBe(UNITS.length); // 100 %: everyone
  });

  test('a unit keeps its bucket across calls and restarts (a pure function of id and salt)', () => {
    const first = UNITS.map((u) => stickyBucket(u, 'restart-salt'));
    const again = UNITS.map((u) => stickyBucket(u, 'restart-salt'));
    expect(again).toEqual(first);
  });

  test('different salts split units independently', () => {
    const a = new Set(UNITS.filter((u) => armFor(stickyBucket(u, 'salt-one'), 10) === 'candidate'));
    const both = UNITS.filter((u) => a.has(u) && armFor(stickyBucket(u, 'salt-two'), 10) === 'candidate').length;
    // Independent 10 % draws overlap on about 1 % of units.
    expect(Math.abs(both / UNITS.length - 0.01)).toBeLessThanOrEqual(0.005);
  });

  test('0 % sends every unit to control', () => {
    expect(UNITS.every((u) => armFor(stickyBucket(u, 'x'), 0) === 'control')).toBe(true);
  });
});
