import type { Db } from '../../store/db';
import { earlierRunCategories } from '../../store/tune-runs';
import { classifyRecurring } from '../../tune/recurring';
import type { RecurringFinding } from '../../tune/types';

/** This run's weakness categories of an item against its earlier runs (reference 003); reads only. */
export async function recurringOf(
  db: Db,
  runId: string,
  item: string,
  categories: string[],
): Promise<RecurringFinding[]> {
  return classifyRecurring(item, categories, await earlierRunCategories(db, item, runId));
}

/**
 * findOptimizeRecurring: the recurring findings of a candidate's failing cases, before anything is recorded, so the
 * workflow can stall on an UNRESOLVED one. It records nothing: finishOptimizeRun records the final pick's weaknesses.
 */
export function findOptimizeRecurringActivity(db: Db) {
  return async function findOptimizeRecurring(p: {
    runId: string;
    item: string;
    categories: string[];
  }): Promise<RecurringFinding[]> {
    return recurringOf(db, p.runId, p.item, p.categories);
  };
}
