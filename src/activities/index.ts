import type { Db } from '../store/db';
import { selfCheckActivities } from './self-check';

export interface ActivityDeps {
  db: Db;
}

/** Every activity, built from injected dependencies so tests can swap them. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...selfCheckActivities(deps.db),
  };
}
