import type { EvalCase, EvalSettings } from '../../eval/types';
import type { LibraryContent } from '../../library/content';
import { checkContextBudget, supportsTools, toolRequestText, type Provider, type ProviderName } from '../../providers';
import type { ToolTurnRequest, ToolTurnResult } from '../../providers/tools';
import {
  agentOpening,
  DEFAULT_AGENT_CAPS,
  DEFAULT_SKILL_EXECUTION,
  runSkillAgent,
  type SkillExecution,
} from '../../skills/agent-run';
import type { SkillFiles } from '../../skills/limits';
import { renderFiles } from '../../tune/role-prompts';
import type { Db } from '../../store/db';
import { agentToolCalls, recordAgentToolCalls } from '../../skills/tool-call-store';

/**
 * How an eval runs its target: skills as agents unless told `inline`; prompts, the no-skill baseline (no files) and
 * batch mode (one request per sample, no turns) always inline.
 */
export function executionOf(
  settings: Pick<EvalSettings, 'execution' | 'batch'>,
  content: LibraryContent,
): SkillExecution {
  if (content.type !== 'skill' || Object.keys(content.files).length === 0 || settings.batch) return 'inline';
  return settings.execution ?? DEFAULT_SKILL_EXECUTION;
}

export const EVAL_AGENT_SYSTEM =
  'You carry out a skill exactly as its files instruct, on the given input, and return only the deliverable.';

export const evalAgentTask = (c: EvalCase) =>
  `<input>\n${String(c.vars.input ?? Object.values(c.vars).join('\n'))}\n</input>`;

/** What the rubric judge is shown as the request of an agent run: the opening and the files the executor read. */
export function agentJudgeRequest(files: SkillFiles, c: EvalCase, read: readonly string[], skillName: string): string {
  const seen: SkillFiles = {};
  for (const p of read) if (files[p] !== undefined) seen[p] = files[p];
  const opening = agentOpening({ name: skillName, files }, evalAgentTask(c));
  return read.length === 0 ? opening : `${opening}\n\n<files-read>\n${renderFiles(seen)}\n</files-read>`;
}

/** The tool calls of an agent answer are recorded under its response-cache key: a cache hit still knows its reads. */
export const agentRunKey = (cacheKey: string) => `eval:${cacheKey}`;

export async function readsOfCachedAnswer(db: Db, cacheKey: string): Promise<string[]> {
  const calls = await agentToolCalls(db, agentRunKey(cacheKey));
  return [...new Set(calls.filter((x) => x.outcome === 'read' && x.path !== null).map((x) => x.path!))];
}

/** One sample as an agent run: every turn through `send` (the caller's limiter and retries), the calls recorded. */
export async function runEvalAgent(p: {
  db: Db;
  provider: Provider;
  providerName: ProviderName;
  model: string;
  skill: { name: string; hash: string; files: SkillFiles };
  c: EvalCase;
  cacheKey: string;
  maxOutputTokens: number;
  send(turn: () => Promise<ToolTurnResult>): Promise<ToolTurnResult>;
}) {
  const provider = p.provider;
  if (!supportsTools(provider))
    throw new Error(`${p.providerName} has no tool-use API here: run the eval with --execution inline`);
  let inPrompt: SkillFiles = {};
  const run = await runSkillAgent({
    skill: { name: p.skill.name, files: p.skill.files },
    system: EVAL_AGENT_SYSTEM,
    task: evalAgentTask(p.c),
    maxOutputTokens: p.maxOutputTokens,
    caps: DEFAULT_AGENT_CAPS,
    beforeTurn: (req: ToolTurnRequest, seen) => {
      inPrompt = seen;
      checkContextBudget({
        provider: p.providerName,
        model: p.model,
        what: `the agent executor prompt of skill ${p.skill.name}`,
        text: toolRequestText(req),
        maxOutputTokens: req.maxTokens,
        files: inPrompt,
      });
    },
    turn: (req) => p.send(() => provider.turn(p.model, req, { timeoutMs: 120_000 })),
  });
  await recordAgentToolCalls(
    p.db,
    { runKey: agentRunKey(p.cacheKey), skill: p.skill.name, skillHash: p.skill.hash },
    run.calls,
  );
  return run;
}
