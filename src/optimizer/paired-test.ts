import { seededRandom } from './random';
import type { PairedTest } from './types';

/** Up to this many non-zero differences every sign pattern is counted (2^16); beyond, a seeded Monte Carlo. */
const EXACT_UP_TO = 16;
const MONTE_CARLO_DRAWS = 20_000;
const EPSILON = 1e-12;

/**
 * One-sided paired sign-flip permutation test of "child beats parent" over the same cases. Under the null the sign
 * of each case's difference is a coin flip; the p-value is the share of sign patterns whose sum is at least the
 * observed one. It assumes nothing about the score's distribution (judge scores are bounded and lumpy), and a case
 * where both score alike adds nothing either way.
 */
export function pairedTest(child: readonly number[], parent: readonly number[], seed: number): PairedTest {
  if (child.length !== parent.length) throw new Error('pairedTest: child and parent must score the same cases');
  const diffs = child.map((c, i) => c - parent[i]!);
  const nonZero = diffs.filter((d) => Math.abs(d) > EPSILON);
  const observed = nonZero.reduce((a, d) => a + d, 0);
  const wins = nonZero.filter((d) => d > 0).length;
  const losses = nonZero.length - wins;
  const meanDiff = diffs.length ? diffs.reduce((a, d) => a + d, 0) / diffs.length : 0;
  const base = { name: 'paired sign-flip permutation' as const, n: diffs.length, meanDiff, wins, losses };
  const ties = diffs.length - nonZero.length;
  if (nonZero.length === 0) return { ...base, ties, pValue: 1 };
  const abs = nonZero.map(Math.abs);
  return { ...base, ties, pValue: abs.length <= EXACT_UP_TO ? exactP(abs, observed) : sampledP(abs, observed, seed) };
}

function exactP(abs: number[], observed: number): number {
  const patterns = 1 << abs.length;
  let atLeast = 0;
  for (let mask = 0; mask < patterns; mask++) {
    let sum = 0;
    for (let i = 0; i < abs.length; i++) sum += mask & (1 << i) ? abs[i]! : -abs[i]!;
    if (sum >= observed - EPSILON) atLeast++;
  }
  return atLeast / patterns;
}

function sampledP(abs: number[], observed: number, seed: number): number {
  const random = seededRandom(seed);
  let atLeast = 0;
  for (let draw = 0; draw < MONTE_CARLO_DRAWS; draw++) {
    let sum = 0;
    for (const a of abs) sum += random() < 0.5 ? a : -a;
    if (sum >= observed - EPSILON) atLeast++;
  }
  // The observed pattern is one of the draws' population: (k + 1) / (N + 1) never claims p = 0.
  return (atLeast + 1) / (MONTE_CARLO_DRAWS + 1);
}
