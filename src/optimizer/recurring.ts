import type { RecurringFinding } from '../tune/types';
import type { AcceptedCandidate, CandidateRef, DatasetSplit, StopReason } from './types';

/**
 * Reference 003 across optimizer runs: a run's weakness categories are the validation cases its chosen candidate
 * still fails ("failing case <id>"); the same case failing in a 3rd run of the item is UNRESOLVED. Pure: the
 * workflow and finishOptimizeRun agree on the categories through this.
 */
export function failingCategories(split: DatasetSplit, accepted: AcceptedCandidate[], chosen: CandidateRef): string[] {
  const scores = accepted.find((a) => a.ref.hash === chosen.hash)?.validation ?? {};
  return split.validation.filter((id) => (scores[id] ?? 0) < 1).map((id) => `failing case ${id}`);
}

/** Endings that would record the chosen candidate without a person having looked at it. */
const UNATTENDED: StopReason[] = ['threshold-met', 'max-iterations', 'converged', 'budget-spent'];

/**
 * Whether the run's pick would be recorded without a person having looked at it: a candidate other than the
 * original, no dry run, and an ending the run reached on its own (a person who already decided another stall is
 * not asked twice, as in the tune loop). Only then can an unresolved recurring issue stall it.
 */
export function recordsUnattended(f: {
  stop: StopReason;
  dryRun: boolean;
  chosen: CandidateRef;
  original: CandidateRef;
}): boolean {
  return !f.dryRun && UNATTENDED.includes(f.stop) && f.chosen.hash !== f.original.hash;
}

/** The findings that stall a run that records unattended: a case failed in a 3rd run or later. */
export const unresolvedOf = (findings: RecurringFinding[]) => findings.filter((r) => r.classification === 'UNRESOLVED');

/** The accepted changes from the original to the candidate, oldest first, by following parents. */
export function acceptedChain(accepted: AcceptedCandidate[], hash: string): AcceptedCandidate[] {
  const byHash = new Map(accepted.map((a) => [a.ref.hash, a]));
  const out: AcceptedCandidate[] = [];
  for (let a = byHash.get(hash); a?.parent !== undefined; a = byHash.get(a.parent)) {
    out.unshift(a);
    if (out.length > accepted.length) break; // a cycle would be a bug upstream; never loop on it
  }
  return out;
}

const MAX_LISTED = 5;
const listed = (xs: string[]) =>
  xs.length <= MAX_LISTED ? xs.join(', ') : `${xs.slice(0, MAX_LISTED).join(', ')} and ${xs.length - MAX_LISTED} more`;

/**
 * The stall's detail in reference 003's escalation format (issue, occurrences, pattern, previous responses,
 * recommendation, awaiting), on one line so the CLI, the status and the Web UI all show it whole.
 */
export function recurringEscalation(f: {
  item: string;
  findings: RecurringFinding[];
  /** What this run tried: the accepted changes that led to the pick. */
  tried: string[];
}): string {
  const unresolved = unresolvedOf(f.findings);
  const runs = Math.max(...unresolved.map((r) => r.occurrence));
  const tried = f.tried.filter(Boolean);
  return [
    `RECURRING ISSUE - Escalation Required`,
    `Issue: the chosen candidate of ${f.item} still fails ${listed(unresolved.map((r) => r.category))}`,
    `Occurrences: ${listed(unresolved.map((r) => `${r.category} ${r.occurrence} times`))}, across ${runs} runs of ${f.item}`,
    `Pattern: the same validation cases fail run after run`,
    `Previous responses: ${runs - 1} earlier runs did not fix them${tried.length ? `; this run tried: ${listed(tried)}` : ''}`,
    `Recommendation: a systemic fix (the cases, the item's design, the models) rather than another round of edits`,
    `Awaiting: user decision — accept records the chosen candidate anyway, rollback keeps the original, continue runs more rounds, cancel ends the run`,
  ].join('. ');
}
