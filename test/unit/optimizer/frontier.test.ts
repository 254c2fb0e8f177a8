import { drawParent, paretoFrontier } from '../../../src/optimizer/frontier';
import { scoreInterval } from '../../../src/optimizer/intervals';
import { seededRandom } from '../../../src/optimizer/random';
import type { AcceptedCandidate } from '../../../src/optimizer/types';

const cand = (hash: string, validation: Record<string, number>): AcceptedCandidate => ({
  ref: { hash, ref: hash },
  round: 0,
  summary: hash,
  validation,
  interval: scoreInterval(Object.values(validation)),
});

describe('paretoFrontier', () => {
  it('keeps every candidate best on some case and drops the dominated', () => {
    const a = cand('a', { x: 1, y: 0, z: 0 });
    const b = cand('b', { x: 0, y: 1, z: 0.5 });
    const c = cand('c', { x: 0, y: 0.5, z: 0.5 }); // dominated by b
    const d = cand('d', { x: 0.5, y: 0.5, z: 1 });
    const f = paretoFrontier([a, b, c, d]);
    expect(f.map((m) => [m.candidate.ref.hash, m.bestOn])).toEqual([
      ['a', 1],
      ['b', 1],
      ['d', 1],
    ]);
  });

  it('draws parents in proportion to the cases they are best on, reproducibly', () => {
    const a = cand('a', { x: 1, y: 1, z: 1, w: 0 });
    const b = cand('b', { x: 0, y: 0, z: 0, w: 1 });
    const f = paretoFrontier([a, b]);
    const random = seededRandom(3);
    const draws = Array.from({ length: 4000 }, () => drawParent(f, random).ref.hash);
    const shareA = draws.filter((h) => h === 'a').length / draws.length;
    expect(shareA).toBeGreaterThan(0.7);
    expect(shareA).toBeLessThan(0.8);
    const again = seededRandom(3);
    expect(drawParent(f, again).ref.hash).toBe(draws[0]);
  });
});
