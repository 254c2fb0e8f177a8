import fs from 'node:fs';
import path from 'node:path';
import { getBlob } from '../store/blobs';
import type { Db } from '../store/db';
import { getSkillContent, getSkillTree } from '../library/skill-versions';
import { changedTreePaths, type SkillTree, type TreeFile } from '../skills/tree';
import { changedPaths } from '../skills/files';
import { skillFilesProblem } from '../skills/path-policy';
import { SkillError } from '../skills/skill-error';
import { checkRoot, replaceFile } from '../skills/safe-write';
import { writeSkillFolder } from '../skills/write-back';
import type { TuneStatus } from '../tune/types';

/** What the client does with one skill folder of a finished run. */
export interface FolderResult {
  skill: string;
  dir?: string;
  /** Files that differ between the original and the chosen version. */
  files: string[];
  written: boolean;
  /** Why the folder was not written: no folder, or it was edited meanwhile (the refusal names the fix). */
  refused?: string;
}

export interface AppliedOutcome {
  folders: FolderResult[];
  /** Report files written (or, without write, that would be). */
  reportPaths: string[];
}

export interface ApplyOptions {
  /** false: only say what would be written. */
  write: boolean;
  /** Per skill, a folder that replaces the one the run was started with (a run started elsewhere). */
  dirs?: Record<string, string>;
}

/**
 * The client side of a finished tune: writes the chosen version into each skill folder and the report under
 * the output folder, on this machine, from the store. Workers never touch these paths. The folder rule is the
 * one the worker used to apply: each touched file must hold the original or the chosen content, else nothing
 * of that folder is written (the user edited it meanwhile). Idempotent: a second call finds the chosen
 * content and writes the same bytes again.
 */
export async function applyTuneOutcome(db: Db, status: TuneStatus, opts: ApplyOptions): Promise<AppliedOutcome> {
  const outcome = status.outcome;
  if (!outcome) return { folders: [], reportPaths: [] };
  const folders: FolderResult[] = [];
  for (const plan of outcome.writeBack)
    folders.push(await applyFolderPlan(db, { ...plan, dir: opts.dirs?.[plan.skill] ?? plan.dir }, opts.write));
  if (opts.write && outcome.reportPaths.length) {
    const markdown = await getBlob(db, outcome.reportRef);
    for (const file of outcome.reportPaths) writeReport(file, markdown);
  }
  return { folders, reportPaths: outcome.reportPaths };
}

/**
 * One folder of a finished run: the files that differ between the original and the chosen version, written with
 * their exact bytes and executable bits when `write` (the folder rule: each touched file must hold the original or
 * the chosen content, else nothing is written). The path policy holds whether or not it writes.
 */
export async function applyFolderPlan(
  db: Db,
  plan: { skill: string; dir?: string; fromHash: string; toHash: string },
  write: boolean,
): Promise<FolderResult> {
  const { dir } = plan;
  const fromContent = await getSkillContent(db, plan.skill, plan.fromHash);
  const toContent = await getSkillContent(db, plan.skill, plan.toHash);
  // The path policy holds whether or not we write: a refused name is reported, never printed as a plan.
  const problem =
    skillFilesProblem(fromContent.files, fromContent.binaries, fromContent.executable) ??
    skillFilesProblem(toContent.files, toContent.binaries, toContent.executable);
  // Exact bytes and executable bits, binary files included: a script stays runnable after a write-back.
  const from: SkillTree = problem ? new Map<string, TreeFile>() : await getSkillTree(db, plan.skill, plan.fromHash);
  const to: SkillTree = problem ? new Map<string, TreeFile>() : await getSkillTree(db, plan.skill, plan.toHash);
  const files = problem ? changedPaths(fromContent.files, toContent.files) : changedTreePaths(from, to);
  const result: FolderResult = { skill: plan.skill, dir, files, written: false };
  if (problem) return { ...result, refused: problem.message };
  if (!dir)
    return { ...result, refused: `the run has no folder for ${plan.skill}: name one with --dir <skill-folder>` };
  if (!write) return result;
  try {
    writeSkillFolder(dir, from, to);
    return { ...result, written: true };
  } catch (err) {
    if (!(err instanceof SkillError)) throw err;
    return { ...result, refused: err.message };
  }
}

/** One line per folder and report, as `tune --wait` and `refinery outcome` print them. */
export function describeApplied(applied: AppliedOutcome, wrote: boolean): string[] {
  const lines: string[] = [];
  for (const f of applied.folders) {
    const files = f.files.join(', ');
    if (f.written) lines.push(`written back to ${f.dir}: ${files}`);
    else if (f.refused) lines.push(`write-back of ${f.skill} refused: ${f.refused}`);
    else lines.push(`would write ${files} into ${f.dir}`);
  }
  for (const p of applied.reportPaths) lines.push(wrote ? `report: ${p}` : `would write the report to ${p}`);
  return lines;
}

/** Where a report lands below the run's output folder: docs/feedbacks/cycle-<date>/<skill>.md. */
const REPORT_PATH = /^(.+)[/\\](docs[/\\]feedbacks[/\\]cycle-[^/\\]+[/\\][^/\\]+\.md)$/;

/**
 * Writes one report file. The path comes from the stored run, so it is held to the shape the worker
 * builds (the output folder, then docs/feedbacks/…), its tail passes the path policy, and the safe
 * writer refuses any symlink below the output folder.
 */
export function writeReport(file: string, markdown: string): void {
  const m = REPORT_PATH.exec(file);
  if (!m)
    throw new SkillError(
      `the run names a report path that is not <output>/docs/feedbacks/cycle-<date>/<skill>.md ("${file}"): nothing was written`,
    );
  const [, outputDir, rel] = m;
  fs.mkdirSync(outputDir!, { recursive: true });
  checkRoot(outputDir!, outputDir!);
  replaceFile(outputDir!, rel!.split(path.sep).join('/'), markdown);
}
