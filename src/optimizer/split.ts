import { seededRandom, shuffle } from './random';
import type { DatasetSplit, SplitSettings } from './types';

/**
 * The default split. Below 12 cases a held-out validation set would hold four cases or fewer, too few for a paired
 * test to say anything: the run then uses every case for both (no held-out evidence). Below 30 cases there is no
 * test split: holding out a third set would leave validation too small to choose with.
 */
export const DEFAULT_SPLIT: Omit<SplitSettings, 'seed'> & { minCasesForTest: number } = {
  validationShare: 0.4,
  testShare: 0.2,
  minCasesForSplit: 12,
  minCasesForTest: 30,
};

/** Why settings cannot split, or undefined. */
export function splitSettingsProblem(s: SplitSettings): string | undefined {
  if (!(s.validationShare > 0 && s.validationShare < 1))
    return `validation share ${s.validationShare} must be in (0, 1)`;
  if (!(s.testShare >= 0 && s.testShare < 1)) return `test share ${s.testShare} must be in [0, 1)`;
  if (s.validationShare + s.testShare >= 1)
    return `validation share ${s.validationShare} plus test share ${s.testShare} leave no training cases: keep their sum below 1`;
  if (!Number.isInteger(s.seed)) return `seed ${s.seed} must be an integer`;
  return undefined;
}

/** A case's stratum: its tags, sorted and deduplicated, so cases tagged alike are held out alike. */
const stratumKey = (tags: string[]) => [...new Set(tags)].sort().join('\u0000');

/**
 * Largest-remainder apportionment: `total` seats over strata in proportion to their quotas, each stratum getting
 * the floor or the ceiling of its quota (never more than its cap). Ties in the remainder go in `order`, a seeded
 * order of the strata, so a seed decides them and not the order the cases came in.
 */
function apportion(quotas: number[], caps: number[], total: number, order: number[]): number[] {
  const seats = quotas.map((q, i) => Math.min(caps[i]!, Math.floor(q)));
  let left = total - seats.reduce((a, b) => a + b, 0);
  const rank = new Map(order.map((s, r) => [s, r]));
  const byRemainder = quotas
    .map((_, i) => i)
    .sort(
      (a, b) =>
        quotas[b]! - Math.floor(quotas[b]!) - (quotas[a]! - Math.floor(quotas[a]!)) || rank.get(a)! - rank.get(b)!,
    );
  // First the largest remainders; if caps leave seats over (tiny strata), any stratum with room takes one.
  for (const pass of [byRemainder, order]) {
    for (const i of pass) {
      if (left <= 0) break;
      if (seats[i]! < caps[i]! && (pass === order || seats[i]! < Math.ceil(quotas[i]!))) {
        seats[i]!++;
        left--;
      }
    }
  }
  return seats;
}

/**
 * Splits a dataset into train (what proposals learn from), validation (acceptance and selection) and test (scored
 * once at the end), stratified by tags. Deterministic: the same cases and seed give the same split whatever order
 * the cases come in. Below `minCasesForSplit` there is no split: train and validation are every case, test is empty.
 */
export function splitDataset(cases: { id: string; tags: string[] }[], s: SplitSettings): DatasetSplit {
  const problem = splitSettingsProblem(s);
  if (problem) throw new RangeError(problem);
  const sorted = [...cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.id === sorted[i - 1]!.id) throw new RangeError(`case id "${sorted[i]!.id}" appears twice`);
  const ids = sorted.map((c) => c.id);
  if (ids.length < s.minCasesForSplit) return { train: ids, validation: ids, test: [], heldOut: false, seed: s.seed };

  const n = ids.length;
  const testShare = n < (s.minCasesForTest ?? 0) ? 0 : s.testShare;
  const strata = new Map<string, string[]>();
  for (const c of sorted) {
    const key = stratumKey(c.tags);
    strata.set(key, [...(strata.get(key) ?? []), c.id]);
  }
  const keys = [...strata.keys()].sort();
  const random = seededRandom(s.seed);
  const members = keys.map((k) => shuffle(strata.get(k)!, random));
  const order = shuffle(
    keys.map((_, i) => i),
    random,
  );
  const sizes = members.map((m) => m.length);
  const validationSeats = apportion(
    sizes.map((z) => z * s.validationShare),
    sizes,
    Math.round(n * s.validationShare),
    order,
  );
  const testSeats = apportion(
    sizes.map((z) => z * testShare),
    sizes.map((z, i) => z - validationSeats[i]!),
    Math.round(n * testShare),
    order,
  );
  const split: DatasetSplit = { train: [], validation: [], test: [], heldOut: true, seed: s.seed };
  members.forEach((m, i) => {
    const v = validationSeats[i]!;
    const t = testSeats[i]!;
    split.validation.push(...m.slice(0, v));
    split.test.push(...m.slice(v, v + t));
    split.train.push(...m.slice(v + t));
  });
  for (const part of [split.train, split.validation, split.test]) part.sort();
  return split;
}
