import { putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getSkillFiles, getSkillVersion } from '../../library/skill-versions';
import { changedPaths, fileAt } from '../../skills/files';
import type { SkillFiles } from '../../skills/limits';
import { unifiedDiff } from '../../text/unified-diff';
import type { OutcomeDiffInput, OutcomeDiffResult } from '../../tune/activity-types';

export function diffFiles(from: SkillFiles, to: SkillFiles): string {
  return changedPaths(from, to)
    .map((p) => {
      const a = fileAt(from, p);
      const b = fileAt(to, p);
      return unifiedDiff(a ?? '', b ?? '', {
        from: a === undefined ? '/dev/null' : `a/${p}`,
        to: b === undefined ? '/dev/null' : `b/${p}`,
      });
    })
    .join('');
}

/**
 * Stores the diff of the chosen version against the original. Reads and writes the store only: the skill
 * folder is on the machine that started the run, and the client that waits writes it.
 */
export function outcomeDiffActivity(db: Db) {
  return async function diffTuneOutcome(input: OutcomeDiffInput): Promise<OutcomeDiffResult> {
    const versionNo = (await getSkillVersion(db, input.skill, { hash: input.toHash }))?.versionNo;
    if (input.fromHash === input.toHash) return { versionNo };
    const from = await getSkillFiles(db, input.skill, input.fromHash);
    const to = await getSkillFiles(db, input.skill, input.toHash);
    const diff = diffFiles(from, to);
    return { diffRef: diff ? await putBlob(db, diff) : undefined, versionNo };
  };
}
