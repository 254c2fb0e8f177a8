import { listAlerts, type AlertRow } from '../calendar/alerts/alert-store';
import { contributionsByPerson, type Contribution } from '../library/contribution';
import { contributionsByItem } from '../library/contribution-store';
import { getContent, latestVersion } from '../library/versions';
import { countWorkflowRunsPerDay } from '../metrics/metrics-store';
import { isError } from '../metrics/workflow-runs';
import { skillFileUsage, withUnread } from '../skills/tool-call-store';
import type { Queryable } from '../store/db';
import {
  evalRunsPerTargetSince,
  iterationScores,
  librarySkillNames,
  providerTotalsSince,
  recordedRunsSince,
  tunedSkillsSince,
  tuneRunsAwaitingDecision,
  tuneRunsStartedSince,
  type TuneRunRow,
} from './dashboard-store';
import { windowDays } from './days';

/** What the dashboard shows, gathered from the store over a window of whole UTC days. */
export interface DashboardData {
  generatedAt: string;
  days: string[];
  /** Per workflow type: runs started and runs that ended in error, per day of the window. */
  workflows: { type: string; runs: number[]; errors: number[] }[];
  /** Recorded runs per prompt in the window, most used first. */
  prompts: { name: string; runs: number; errors: number }[];
  /** Per skill: recorded runs, tune runs and eval runs in the window, most used first. */
  skills: { name: string; recorded: number; tuneRuns: number; evalRuns: number }[];
  /**
   * Per skill that agent runs used (most runs first): how many runs read each file, and the newest version's files
   * that no run read (candidates for merging or removal).
   */
  skillFiles: { name: string; agentRuns: number; files: { path: string; runs: number }[]; unread: string[] }[];
  /** Unresolved alerts, Critical first. */
  alerts: AlertRow[];
  /** The newest tune runs of the window with their score per iteration. */
  tuneRuns: TuneRunSummary[];
  /** Every tune run stalled and waiting for a human decision, whenever it started. */
  stalled: TuneRunSummary[];
  provider: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
  /** Per person, what they contributed that completed in the window, most first (src/library/contribution-store). */
  contribution: Contribution[];
}

export interface TuneRunSummary {
  runId: string;
  workflowId: string;
  skills: string[];
  status: string;
  startedAt: string;
  startedBy: string;
  /** Score per iteration, in order (null: nothing was evaluated that iteration). */
  scores: { iteration: number; score: number | null }[];
  bestScore: number | null;
}

export const DEFAULT_DAYS = 30;
/** Enough lines to tell runs apart in one chart, and bars to read names in another. */
const CHARTED_TUNE_RUNS = 8;
const TOP_NAMES = 12;

export async function loadDashboardData(
  db: Queryable,
  opts: { days?: number; now?: Date } = {},
): Promise<DashboardData> {
  const now = opts.now ?? new Date();
  const days = windowDays(now, opts.days ?? DEFAULT_DAYS);
  const since = `${days[0]}T00:00:00.000Z`;
  const [workflows, prompts, skills, skillFiles, alerts, tuneRuns, stalled, provider, contribution] = await Promise.all(
    [
      workflowsPerDay(db, since, days),
      promptUsage(db, since),
      skillUsage(db, since),
      skillFileReads(db),
      openAlerts(db),
      tuneRunsStartedSince(db, since, CHARTED_TUNE_RUNS).then((runs) => tuneRunSummaries(db, runs)),
      tuneRunsAwaitingDecision(db, 100).then((runs) => tuneRunSummaries(db, runs)),
      providerTotals(db, since),
      contributionsByItem(db, { since }).then(contributionsByPerson),
    ],
  );
  return {
    generatedAt: now.toISOString(),
    days,
    workflows,
    prompts,
    skills,
    skillFiles,
    alerts,
    tuneRuns,
    stalled,
    provider,
    contribution,
  };
}

async function workflowsPerDay(db: Queryable, since: string, days: string[]): Promise<DashboardData['workflows']> {
  const rows = await countWorkflowRunsPerDay(db, since);
  const index = new Map(days.map((d, i) => [d, i]));
  const byType = new Map<string, { type: string; runs: number[]; errors: number[] }>();
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue; // started "in the future" by a skewed clock
    let w = byType.get(r.type);
    if (!w) byType.set(r.type, (w = { type: r.type, runs: days.map(() => 0), errors: days.map(() => 0) }));
    w.runs[i]! += Number(r.n);
    if (isError(r.status)) w.errors[i]! += Number(r.n);
  }
  return [...byType.values()].sort((a, b) => a.type.localeCompare(b.type));
}

const skillNames = async (db: Queryable) => new Set(await librarySkillNames(db));

async function promptUsage(db: Queryable, since: string): Promise<DashboardData['prompts']> {
  const skills = await skillNames(db);
  return (await recordedRunsSince(db, since))
    .filter((r) => !skills.has(r.name))
    .sort((a, b) => b.runs - a.runs || a.name.localeCompare(b.name))
    .slice(0, TOP_NAMES);
}

/**
 * How often each skill was used: runs applications recorded for it, tune runs that tuned it and eval
 * runs that evaluated it. A skill is a library item of kind skill, or any name a tune run tuned.
 */
async function skillUsage(db: Queryable, since: string): Promise<DashboardData['skills']> {
  const library = await skillNames(db);
  const usage = new Map<string, { name: string; recorded: number; tuneRuns: number; evalRuns: number }>();
  const of = (name: string) => {
    let u = usage.get(name);
    if (!u) usage.set(name, (u = { name, recorded: 0, tuneRuns: 0, evalRuns: 0 }));
    return u;
  };
  for (const skills of await tunedSkillsSince(db, since)) for (const skill of skills) of(skill).tuneRuns++;
  const known = new Set([...library, ...usage.keys()]);
  for (const r of await recordedRunsSince(db, since)) if (known.has(r.name)) of(r.name).recorded += r.runs;
  const evals = await evalRunsPerTargetSince(db, since);
  for (const e of evals) if (known.has(e.target)) of(e.target).evalRuns += Number(e.n);
  const total = (u: { recorded: number; tuneRuns: number; evalRuns: number }) => u.recorded + u.tuneRuns + u.evalRuns;
  return [...usage.values()].sort((a, b) => total(b) - total(a) || a.name.localeCompare(b.name)).slice(0, TOP_NAMES);
}

/** Per-file reads of the skills agent runs used (over every run recorded: a file's usage is slow evidence). */
async function skillFileReads(db: Queryable): Promise<DashboardData['skillFiles']> {
  const out: DashboardData['skillFiles'] = [];
  for (const name of [...(await skillNames(db))].sort()) {
    const newest = await latestVersion(db, name);
    if (newest === undefined) continue;
    const u = await skillFileUsage(db, name);
    if (!u.agentRuns) continue;
    const content = await getContent(db, name, { version: newest });
    const withFiles = withUnread(u, content.type === 'skill' ? Object.keys(content.files) : []);
    out.push({
      name,
      agentRuns: withFiles.agentRuns,
      files: withFiles.files.map((f) => ({ path: f.path, runs: f.runs })),
      unread: withFiles.unread,
    });
  }
  return out.sort((a, b) => b.agentRuns - a.agentRuns || a.name.localeCompare(b.name)).slice(0, TOP_NAMES);
}

async function openAlerts(db: Queryable): Promise<AlertRow[]> {
  const rank = (a: AlertRow) => (a.severity === 'critical' ? 0 : 1);
  // listAlerts gives the newest first; a stable sort keeps that order within each severity.
  return (await listAlerts(db, { status: 'unresolved', limit: 50 })).sort((a, b) => rank(a) - rank(b));
}

async function tuneRunSummaries(db: Queryable, runs: TuneRunRow[]): Promise<TuneRunSummary[]> {
  if (runs.length === 0) return [];
  const iterations = await iterationScores(
    db,
    runs.map((r) => r.run_id),
  );
  return runs.map((r) => {
    const scores = iterations
      .filter((i) => i.run_id === r.run_id)
      .map((i) => ({ iteration: Number(i.iteration), score: i.score === null ? null : Number(i.score) }));
    const evaluated = scores.map((s) => s.score).filter((s): s is number => s !== null);
    return {
      runId: r.run_id,
      workflowId: r.workflow_id,
      skills: JSON.parse(r.skills) as string[],
      status: r.status,
      startedAt: r.started_at,
      startedBy: r.started_by,
      scores,
      // A run still going has no best_score yet: its best iteration so far stands in.
      bestScore: r.best_score ?? (evaluated.length ? Math.max(...evaluated) : null),
    };
  });
}

async function providerTotals(db: Queryable, since: string): Promise<DashboardData['provider']> {
  const row = await providerTotalsSince(db, since);
  return {
    calls: Number(row?.calls ?? 0),
    inputTokens: Number(row?.input ?? 0),
    outputTokens: Number(row?.output ?? 0),
    costUsd: Number(row?.cost ?? 0),
  };
}
