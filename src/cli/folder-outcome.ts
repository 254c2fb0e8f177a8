import { getBlob } from '../store/blobs';
import type { Db } from '../store/db';
import type { OptimizeStatus } from '../optimizer/types';
import { applyFolderPlan, type FolderResult } from './tune-outcome';

/**
 * The folder form's write-back through the optimizer, on the machine of the client that waits (or of `refinery
 * outcome --write`): the chosen version's exact bytes into the folder the run was started from, under the rule the
 * tune loop had (a folder edited since the run started is refused, nothing written). Only a run that made a new
 * version writes: a dry run, a run whose original stayed best, a rollback or a cancel leave the folder as it is.
 */
export async function applyOptimizeFolder(
  db: Db,
  status: OptimizeStatus,
  opts: { write: boolean; dir?: string },
): Promise<FolderResult | undefined> {
  const o = status.outcome;
  const dir = opts.dir ?? status.folder;
  if (!o || o.version === undefined || o.chosen.hash === o.original.hash) return undefined;
  return applyFolderPlan(
    db,
    {
      skill: status.target.name,
      ...(dir !== undefined ? { dir } : {}),
      fromHash: o.original.hash,
      toHash: o.chosen.hash,
    },
    opts.write,
  );
}

/** The diff of the chosen version against the original, as the run stored it ('' when it has none). */
export async function optimizeDiff(db: Db, status: OptimizeStatus): Promise<string> {
  return status.outcome?.diffRef ? getBlob(db, status.outcome.diffRef) : '';
}
