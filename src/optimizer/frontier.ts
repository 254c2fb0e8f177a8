import type { AcceptedCandidate } from './types';

const EPSILON = 1e-9;

export interface FrontierMember {
  candidate: AcceptedCandidate;
  /** Validation cases on which this candidate is (one of) the best. */
  bestOn: number;
  mean: number;
}

/**
 * GEPA's per-case Pareto frontier: every accepted candidate that is the best on at least one validation case and is
 * not dominated (another as good on every case and better on one). Keeping it, rather than the global best, keeps
 * candidates that solved different cases as parents, so one lucky direction does not crowd out the rest.
 */
export function paretoFrontier(accepted: readonly AcceptedCandidate[]): FrontierMember[] {
  if (accepted.length === 0) return [];
  const cases = Object.keys(accepted[0]!.validation);
  const best = new Map(cases.map((c) => [c, Math.max(...accepted.map((a) => a.validation[c] ?? 0))]));
  const members = accepted
    .map((candidate) => ({
      candidate,
      bestOn: cases.filter((c) => (candidate.validation[c] ?? 0) >= best.get(c)! - EPSILON).length,
      mean: candidate.interval.mean,
    }))
    .filter((m) => m.bestOn > 0);
  const dominated = (a: AcceptedCandidate) =>
    members.some(
      (b) =>
        b.candidate !== a &&
        cases.every((c) => (b.candidate.validation[c] ?? 0) >= (a.validation[c] ?? 0) - EPSILON) &&
        cases.some((c) => (b.candidate.validation[c] ?? 0) > (a.validation[c] ?? 0) + EPSILON),
    );
  const kept = members.filter((m) => !dominated(m.candidate));
  // Every case's best is still held by someone; with ties (identical candidates) keep the earliest only.
  const seen = new Set<string>();
  return kept.filter((m) => !seen.has(m.candidate.ref.hash) && seen.add(m.candidate.ref.hash));
}

/** A parent drawn with probability proportional to how many validation cases it is best on. */
export function drawParent(frontier: readonly FrontierMember[], random: () => number): AcceptedCandidate {
  if (frontier.length === 0) throw new Error('drawParent: the frontier is empty');
  const total = frontier.reduce((a, m) => a + m.bestOn, 0);
  let r = random() * total;
  for (const m of frontier) {
    r -= m.bestOn;
    if (r < 0) return m.candidate;
  }
  return frontier[frontier.length - 1]!.candidate;
}
