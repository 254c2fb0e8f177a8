import fs from 'node:fs';
import path from 'node:path';
import { versionLink } from '../../library/links';
import { getBlob, putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getStepResult } from '../../store/tune-runs';
import type { ImproveResult } from '../../tune/activity-types';
import { renderTuneReport, type ReportData } from '../../tune/report';
import type { IterationRecord } from '../../tune/types';

export type ReportInput = Omit<ReportData, 'iterations' | 'rationales' | 'cycleDate' | 'diff'> & {
  outputDir: string;
  diffRefs: string[];
};

/** Renders the report from the stored iterations, writes it under docs/feedbacks/cycle-<date>/ and stores it. */
export function reportActivity(db: Db, publicUrl: string) {
  return async function writeTuneReport(input: ReportInput): Promise<{ reportPaths: string[]; reportRef: string }> {
    const rows = await db.all<{ record: string }>(
      'SELECT record FROM tune_iterations WHERE run_id = ? ORDER BY iteration',
      [input.runId],
    );
    const iterations = rows.map((r) => JSON.parse(r.record) as IterationRecord);
    const rationales: Record<number, string> = {};
    for (const it of iterations) {
      const imp = await getStepResult<ImproveResult>(db, `${input.runId}:${it.iteration}:improve`);
      if (imp) rationales[it.iteration] = imp.rationale;
    }
    const run = await db.get<{ started_at: string }>('SELECT started_at FROM tune_runs WHERE run_id = ?', [
      input.runId,
    ]);
    const cycleDate = (run?.started_at ?? new Date().toISOString()).slice(0, 10);
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
    const dir = path.join(outputDir, 'docs', 'feedbacks', `cycle-${cycleDate}`);
    fs.mkdirSync(dir, { recursive: true });
    const reportPaths = input.skills.map((skill) => {
      const file = path.join(dir, `${skill}.md`);
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, markdown);
      fs.renameSync(tmp, file);
      return file;
    });
    return { reportPaths, reportRef };
  };
}
