import { validateAssertions } from '../eval/assertions';
import type { EvalCase } from '../eval/types';
import { LibraryError } from '../library/errors';
import type { Db } from '../store/db';
import { addDatasetVersion, datasetForTarget, getDataset, getDatasetCases, type DatasetVersion } from '../store/evals';
import {
  decideCase,
  getCase,
  markPublished,
  unpublishedCases,
  userTendencies,
  type ReviewCase,
  type UserTendency,
} from './case-store';

/** The tag every harvested case carries in its dataset: where the case came from. */
export const SOURCE_TAG = 'source:production';

export interface AcceptInput {
  /** The expected output; defaults to the case's correction. */
  expected?: string;
  /** Assertions instead of (or beside) an expected output, in the dataset assertion format. */
  assertions?: unknown;
}

/**
 * Parses an accept's edits: an assertion list (one object or an array) checked as a dataset import checks
 * it; `javascript` assertions are refused because their script file cannot travel through a review.
 */
export function acceptEdits(
  c: ReviewCase,
  input: AcceptInput,
): { expected: string | null; assertions: unknown[] | null } {
  let assertions: unknown[] | null = null;
  if (input.assertions !== undefined) {
    const raw = Array.isArray(input.assertions) ? input.assertions : [input.assertions];
    try {
      assertions = validateAssertions(raw, 'assertions');
    } catch (err) {
      throw new LibraryError(err instanceof Error ? err.message : String(err), 400, 'assertions');
    }
    if (assertions.some((a) => (a as { type: string }).type === 'javascript'))
      throw new LibraryError(
        'assertions: a javascript assertion needs its script file; add such cases with `refinery dataset add`',
        400,
        'assertions',
      );
    if (assertions.length === 0) assertions = null;
  }
  const expected = input.expected ?? (assertions ? null : c.correction);
  if (expected === null && assertions === null)
    throw new LibraryError(
      `case "${c.caseId}" has no correction: give the expected output (--expected) or an assertion (--assert-json)`,
      400,
      'expected',
    );
  if (c.input === null)
    throw new LibraryError(
      `case "${c.caseId}" has no input (its run was recorded without one), so it cannot be replayed: reject or skip it`,
      400,
      'input',
    );
  return { expected, assertions };
}

export async function acceptCase(
  db: Db,
  name: string,
  caseId: string,
  input: AcceptInput,
  reviewer: string,
): Promise<ReviewCase> {
  const edits = acceptEdits(await getCase(db, name, caseId), input);
  return decideCase(db, name, caseId, { status: 'accepted', ...edits }, reviewer);
}

export async function rejectCase(
  db: Db,
  name: string,
  caseId: string,
  reason: string,
  reviewer: string,
): Promise<ReviewCase> {
  if (reason.trim() === '')
    throw new LibraryError('a rejection needs a reason (--reason "…"): it is kept with the input', 400, 'reason');
  return decideCase(db, name, caseId, { status: 'rejected', reason: reason.trim() }, reviewer);
}

export async function skipCase(db: Db, name: string, caseId: string, reviewer: string): Promise<ReviewCase> {
  return decideCase(db, name, caseId, { status: 'skipped' }, reviewer);
}

/** The dataset case an accepted review case becomes. */
export function datasetCaseOf(c: ReviewCase): EvalCase {
  return {
    id: `production-${c.caseId.replace(/^case-/, '')}`,
    vars: { input: c.input ?? '' },
    input: c.input ?? '',
    ...(c.expected !== null ? { expected: c.expected } : {}),
    assertions: c.assertions ?? [],
    tags: [SOURCE_TAG, `failure:${c.kind}`, `version:${c.version}`],
    required: false,
  };
}

/**
 * Adds every accepted case of `name` not yet in a dataset as a new version of its dataset: the newest
 * version's cases plus the accepted ones. The dataset is `dataset` when given, else the newest one that
 * targets `name`, else one called `name`. Only reviewed, accepted cases get here: nothing enters unreviewed.
 */
export async function publishAccepted(
  db: Db,
  name: string,
  opts: { dataset?: string; author: string },
): Promise<{ dataset: DatasetVersion & { created: boolean }; added: number } | undefined> {
  const accepted = await unpublishedCases(db, name);
  if (accepted.length === 0) return undefined;
  const target = opts.dataset ? await getDataset(db, opts.dataset) : await datasetForTarget(db, name);
  const datasetName = opts.dataset ?? target?.name ?? name;
  const base = target ? await getDatasetCases(db, target.name, target.version) : [];
  const have = new Set(base.map((c) => c.id));
  const added = accepted.map(datasetCaseOf).filter((c) => !have.has(c.id));
  const d = await addDatasetVersion(db, {
    name: datasetName,
    cases: [...base, ...added],
    target: target?.target ?? name,
    source: `${SOURCE_TAG} (reviewed cases of ${name})`,
    author: opts.author,
  });
  await markPublished(
    db,
    accepted.map((c) => c.caseId),
    d.name,
    d.version,
  );
  return { dataset: d, added: added.length };
}

/** The rating tendencies of every user who gave feedback on these cases, and everyone's. */
export async function tendenciesFor(db: Db, name: string, cases: readonly ReviewCase[]): Promise<UserTendency[]> {
  const users = cases.flatMap((c) => c.feedback.map((f) => f.userId).filter((u): u is string => !!u));
  return userTendencies(db, name, users);
}
