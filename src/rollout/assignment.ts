import { BUCKETS } from '../library/sticky';

/**
 * Which arm a unit gets: buckets below the canary share (percent of BUCKETS) see the candidate.
 * A unit's bucket depends only on its id and the rollout's salt, so raising the share 1 → 10 → 50 →
 * 100 % only ever moves units from control to candidate, never back; a rollback to 0 % moves all back.
 */
export function armFor(bucket: number, percent: number): 'candidate' | 'control' {
  return bucket < Math.round((percent / 100) * BUCKETS) ? 'candidate' : 'control';
}
