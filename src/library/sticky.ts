import { createHash } from 'node:crypto';

export const BUCKETS = 10_000;

/**
 * A unit's bucket (0-9999) for flag evaluation: a hash of salt and unit id, so a unit keeps its bucket
 * across requests, processes and restarts, and different salts (rollouts) split units independently.
 */
export function stickyBucket(unitId: string, salt: string): number {
  const digest = createHash('sha256').update(`${salt}\u0000${unitId}`).digest();
  return digest.readUInt32BE(0) % BUCKETS;
}
