import type { Db, Queryable } from '../store/db';
import type { AgentCallRecord } from './agent-tools';

/** One agent run of a skill: a key unique per run and step (a retry of the same step reuses it). */
export interface AgentRunKey {
  runKey: string;
  skill: string;
  skillHash: string;
}

/** Records every tool call of one agent run, replacing what an earlier attempt of the same run wrote. */
export async function recordAgentToolCalls(db: Db, key: AgentRunKey, calls: readonly AgentCallRecord[]): Promise<void> {
  const now = new Date().toISOString();
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM skill_tool_calls WHERE run_key = ?', [key.runKey]);
    for (const [i, c] of calls.entries())
      await tx.run(
        'INSERT INTO skill_tool_calls (run_key, seq, skill, skill_hash, tool, path, outcome, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [key.runKey, i + 1, key.skill, key.skillHash, c.tool, c.path, c.outcome, c.bytes, now],
      );
  });
}

/** The tool calls of one run, in order. */
export async function agentToolCalls(db: Db, runKey: string): Promise<AgentCallRecord[]> {
  const rows = await db.all<{ tool: string; path: string | null; outcome: string; bytes: number }>(
    'SELECT tool, path, outcome, bytes FROM skill_tool_calls WHERE run_key = ? ORDER BY seq',
    [runKey],
  );
  return rows.map((r) => ({
    tool: r.tool,
    path: r.path,
    outcome: r.outcome as AgentCallRecord['outcome'],
    bytes: Number(r.bytes),
  }));
}

export interface FileUsage {
  path: string;
  /** Agent runs that read the file at least once. */
  runs: number;
  /** read_file calls that returned it. */
  reads: number;
}

/** Usage of files whose tool calls match `where`: runs that called a tool, and per file the runs and reads. */
async function usage(
  db: Queryable,
  where: string,
  params: string[],
): Promise<{ agentRuns: number; files: FileUsage[] }> {
  const total = await db.get<{ n: number | string }>(
    `SELECT COUNT(DISTINCT run_key) AS n FROM skill_tool_calls WHERE ${where}`,
    params,
  );
  const rows = await db.all<{ path: string; runs: number | string; reads: number | string }>(
    `SELECT path, COUNT(DISTINCT run_key) AS runs, COUNT(*) AS reads FROM skill_tool_calls
     WHERE ${where} AND outcome = 'read' AND path IS NOT NULL GROUP BY path ORDER BY path`,
    params,
  );
  return {
    agentRuns: Number(total?.n ?? 0),
    files: rows.map((r) => ({ path: r.path, runs: Number(r.runs), reads: Number(r.reads) })),
  };
}

/**
 * How often each file of a skill is loaded by agent runs (optionally of one version): a file no run reads is a
 * candidate for removal or merging. agentRuns counts the runs that called at least one tool.
 */
export function skillFileUsage(
  db: Queryable,
  skill: string,
  skillHash?: string,
): Promise<{ agentRuns: number; files: FileUsage[] }> {
  return skillHash === undefined
    ? usage(db, 'skill = ?', [skill])
    : usage(db, 'skill = ? AND skill_hash = ?', [skill, skillHash]);
}

/** How often agent runs of one version (by its content hash, whatever item it was run as) read each file. */
export function versionFileUsage(db: Queryable, skillHash: string): Promise<{ agentRuns: number; files: FileUsage[] }> {
  return usage(db, 'skill_hash = ?', [skillHash]);
}

/**
 * A skill's usage with the text files of a version that no agent run read (SKILL.md aside: every run loads it).
 * Without any agent run nothing is called unread: there is no evidence yet.
 */
export function withUnread(
  u: { agentRuns: number; files: FileUsage[] },
  textFiles: readonly string[],
): { agentRuns: number; files: FileUsage[]; unread: string[] } {
  const read = new Set(u.files.map((f) => f.path));
  const unread = u.agentRuns ? textFiles.filter((p) => p !== 'SKILL.md' && !read.has(p)).sort() : [];
  return { ...u, unread };
}
