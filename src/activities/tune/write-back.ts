import { ApplicationFailure } from '@temporalio/common';
import { putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getSkillFiles, getSkillVersion } from '../../store/skill-versions';
import { changedPaths, fileAt } from '../../skills/files';
import { SkillError } from '../../skills/skill-error';
import { writeSkillFolder } from '../../skills/write-back';
import type { SkillFiles } from '../../skills/limits';
import { unifiedDiff } from '../../text/unified-diff';
import type { WriteBackInput, WriteBackResult } from '../../tune/activity-types';

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

/** Writes the chosen version into the skill folder (or only computes the diff on a dry run). */
export function writeBackActivity(db: Db) {
  return async function writeBackSkill(input: WriteBackInput): Promise<WriteBackResult> {
    const from = await getSkillFiles(db, input.skill, input.fromHash);
    const to = await getSkillFiles(db, input.skill, input.toHash);
    const diff = diffFiles(from, to);
    const diffRef = diff ? await putBlob(db, diff) : undefined;
    const versionNo = (await getSkillVersion(db, input.skill, { hash: input.toHash }))?.versionNo;
    if (input.fromHash === input.toHash) return { written: false, changedFiles: [], versionNo, skipped: 'no change' };
    if (input.dryRun) {
      return {
        written: false,
        changedFiles: [],
        diffRef,
        versionNo,
        skipped: 'dry run: the folder was left untouched',
      };
    }
    try {
      const changedFiles = writeSkillFolder(input.dir, from, to);
      return { written: true, changedFiles, diffRef, versionNo };
    } catch (err) {
      if (err instanceof SkillError) {
        throw ApplicationFailure.create({ type: 'WriteBackRefused', message: err.message, nonRetryable: true });
      }
      throw err;
    }
  };
}
