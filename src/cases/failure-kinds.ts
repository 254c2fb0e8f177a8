import { createHash } from 'node:crypto';

/**
 * What went wrong with a run, as the harvest sees it. A run can show several signals; its case is filed
 * under the first in this order (the most useful evidence first: a correction says what the output should
 * have been, an error says least).
 */
export const FAILURE_KINDS = [
  'correction',
  'thumbs-down',
  'low-rating',
  'regeneration',
  'format-failure',
  'error',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** A rating at or below this (of 5) counts as low. */
export const LOW_RATING = 2;

export interface RunSignals {
  error: string | null;
  formatOk: boolean | null;
  corrected: boolean;
  regenerated: boolean;
}

export interface FeedbackSignals {
  thumbs: 'up' | 'down' | null;
  rating: number | null;
  correction: string | null;
}

export function runKinds(r: RunSignals): FailureKind[] {
  const kinds: FailureKind[] = [];
  if (r.corrected) kinds.push('correction');
  if (r.regenerated) kinds.push('regeneration');
  if (r.formatOk === false) kinds.push('format-failure');
  if (r.error !== null) kinds.push('error');
  return kinds;
}

export function feedbackKinds(f: FeedbackSignals): FailureKind[] {
  const kinds: FailureKind[] = [];
  if (f.correction !== null) kinds.push('correction');
  if (f.thumbs === 'down') kinds.push('thumbs-down');
  if (f.rating !== null && f.rating <= LOW_RATING) kinds.push('low-rating');
  return kinds;
}

/** The kinds in FAILURE_KINDS order, each once. */
export function orderKinds(kinds: Iterable<FailureKind>): FailureKind[] {
  const set = new Set(kinds);
  return FAILURE_KINDS.filter((k) => set.has(k));
}

export interface Stratum {
  version: number;
  kind: FailureKind;
  seen: number;
  sampled: number;
}

/**
 * Chooses at most `limit` items, stratified by version and failure kind with equal allocation: strata take
 * turns (newest version first, then kind order), one item each, until the limit or every stratum is
 * empty. A rare failure kind or an old version is then represented even when another stratum has
 * thousands. Within a stratum the order is a hash of the item's key and `seed`: arbitrary but repeatable,
 * so a retried harvest samples the same items.
 */
export function stratifiedSample<T extends { key: string; version: number; kind: FailureKind }>(
  items: readonly T[],
  limit: number,
  seed: string,
): { chosen: T[]; strata: Stratum[] } {
  const groups = new Map<string, { version: number; kind: FailureKind; items: T[] }>();
  for (const item of items) {
    const id = `${item.version}\u0000${item.kind}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { version: item.version, kind: item.kind, items: [] }));
    g.items.push(item);
  }
  const order = (key: string) => createHash('sha256').update(`${seed}\u0000${key}`).digest('hex');
  const strata = [...groups.values()].sort(
    (a, b) => b.version - a.version || FAILURE_KINDS.indexOf(a.kind) - FAILURE_KINDS.indexOf(b.kind),
  );
  for (const g of strata) {
    const keyed = g.items.map((item) => ({ item, o: order(item.key) }));
    keyed.sort((a, b) => (a.o < b.o ? -1 : a.o > b.o ? 1 : 0));
    g.items = keyed.map((k) => k.item);
  }
  const chosen: T[] = [];
  const taken = strata.map(() => 0);
  for (let round = 0; chosen.length < limit; round++) {
    let any = false;
    for (const [i, g] of strata.entries()) {
      if (chosen.length >= limit) break;
      if (round < g.items.length) {
        chosen.push(g.items[round]!);
        taken[i]!++;
        any = true;
      }
    }
    if (!any) break;
  }
  return {
    chosen,
    strata: strata.map((g, i) => ({ version: g.version, kind: g.kind, seen: g.items.length, sampled: taken[i]! })),
  };
}
