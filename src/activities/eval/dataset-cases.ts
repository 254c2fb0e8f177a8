import type { EvalCase } from '../../eval/types';
import { getJson } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getDatasetCasesRef } from '../../store/evals';

/**
 * A worker's parsed datasets, by the content hash of their cases. Every chunk of a run needs its slice of the same
 * dataset: parsing the whole of it once per chunk made a run's cost grow with the square of its size. Keyed by
 * content, so an entry is right for any store that holds that blob; a few entries bound the memory.
 */
const parsed = new Map<string, readonly EvalCase[]>();
const MAX_DATASETS = 4;

/** The cases of dataset name@version, shared between callers: read-only. */
export async function datasetCases(db: Db, name: string, version: number): Promise<readonly EvalCase[]> {
  const ref = await getDatasetCasesRef(db, name, version);
  let cases = parsed.get(ref);
  if (cases) {
    // Most recently used last, so the oldest entry is the one dropped.
    parsed.delete(ref);
  } else {
    cases = await getJson<EvalCase[]>(db, ref);
    if (parsed.size >= MAX_DATASETS) parsed.delete(parsed.keys().next().value!);
  }
  parsed.set(ref, cases);
  return cases;
}
