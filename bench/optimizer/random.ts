/**
 * The simulation's randomness, all reproducible by seed. Outcomes are keyed draws (a hash of the seed and what is
 * drawn for), not a stream: a (candidate, case, sample) outcome is the same whenever and in whatever order it is
 * asked for, so parallel proposals, caching and a latency run cannot change what the world answers.
 */

/** A uniform draw in [0, 1) for a key. */
export function keyedUniform(seed: number, ...key: (string | number)[]): number {
  let h = 2166136261 ^ seed;
  const text = key.join('\u0000');
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  // murmur3's finaliser: FNV alone leaves the low bits poorly mixed for short, similar keys.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** A seeded stream (mulberry32), for drawing the world itself. */
export function stream(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(items: readonly T[], u: number): T {
  if (items.length === 0) throw new Error('pick: nothing to pick from');
  return items[Math.min(items.length - 1, Math.floor(u * items.length))]!;
}
