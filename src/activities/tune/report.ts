import path from 'node:path';
import { versionLink } from '../../library/links';
import { getBlob, putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getStepResult, listIterationRecords, tuneRunStartedAt } from '../../store/tune-runs';
import type { ImproveResult } from '../../tune/activity-types';
import { renderTuneReport, type ReportData } from '../../tune/report';
import type { IterationRecord } from '../../tune/types';

export type ReportInput = Omit<ReportData, 'iterations' | 'rationales' | 'cycleDate' | 'diff'> & {
  outputDir?: string;
  diffRefs: string[];
};

/**
 * Renders the report from the stored iterations and stores it as a blob. It writes no file: it only names
 * where the client that waits puts it, <outputDir>/docs/feedbacks/cycle-<date>/<skill>.md on that machine.
 */
export function reportActivity(db: Db, publicUrl: string) {
  return async function storeTuneReport(input: ReportInput): Promise<{ reportPaths: string[]; reportRef: string }> {
    const iterations = await listIterationRecords<IterationRecord>(db, input.runId);
    const rationales: Record<number, string> = {};
    for (const it of iterations) {
      const imp = await getStepResult<ImproveResult>(db, `${input.runId}:${it.iteration}:improve`);
      if (imp) rationales[it.iteration] = imp.rationale;
    }
    const cycleDate = ((await tuneRunStartedAt(db, input.runId)) ?? new Date().toISOString()).slice(0, 10);
    const diffs = await Promise.all(input.diffRefs.map((ref) => getBlob(db, ref)));
    const { outputDir, diffRefs: _unused, ...data } = input;
    const promptLinks = Object.fromEntries(
      Object.entries(data.chosenVersions).flatMap(([skill, v]) =>
        v === undefined ? [] : [[skill, versionLink(publicUrl, skill, v)]],
      ),
    );
    const markdown = renderTuneReport({
      ...data,
      iterations,
      rationales,
      cycleDate,
      promptLinks,
      diff: diffs.join('') || undefined,
    });
    const reportRef = await putBlob(db, markdown);
    // Path arithmetic only, on the starter's folder name: nothing here touches this machine's disk.
    const reportPaths =
      outputDir === undefined
        ? []
        : input.skills.map((skill) => path.join(outputDir, 'docs', 'feedbacks', `cycle-${cycleDate}`, `${skill}.md`));
    return { reportPaths, reportRef };
  };
}
