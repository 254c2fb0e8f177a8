import type { CompletionResult } from '../providers/types';
import type { ToolMessage, ToolTurnRequest, ToolTurnResult } from '../providers/tools';
import { AGENT_TOOLS, answerToolCall, type AgentCallRecord, type UnreadableFile } from './agent-tools';
import type { SkillFiles } from './limits';
import { SkillError } from './skill-error';

/** How a skill is run: its files pasted whole into one prompt, or given to an agent that reads what it needs. */
export type SkillExecution = 'inline' | 'agent';
export const DEFAULT_SKILL_EXECUTION: SkillExecution = 'agent';

export interface AgentCaps {
  /** Model turns per run, the final answer included. */
  maxTurns: number;
  /** Input + output tokens over all turns of a run. */
  maxTokens: number;
}
// Enough turns to list, read a handful of files in a few rounds and answer; the token cap is a guard against a
// loop re-reading a large folder, well under what one inline run of a capped (2 MiB) skill costs.
export const DEFAULT_AGENT_CAPS: AgentCaps = { maxTurns: 12, maxTokens: 300_000 };

/** An agent run that reached a cap before the model produced its deliverable. */
export class AgentCapError extends SkillError {
  constructor(
    readonly cap: 'turns' | 'tokens',
    message: string,
    readonly calls: AgentCallRecord[],
  ) {
    super(message);
  }
}

export interface AgentRun {
  text: string;
  /** Every tool call, in order. */
  calls: AgentCallRecord[];
  /** The files returned to the model, path → text (SKILL.md included: the model was given it). */
  filesSeen: SkillFiles;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
}

export interface AgentRunInput {
  skill: { name: string; files: SkillFiles; unreadable?: readonly UnreadableFile[] };
  /** The role-tagged system prompt the caller's provider routes on. */
  system: string;
  /** What to do, after the skill block: scenario, upstream artifacts, the closing instruction. */
  task: string;
  maxOutputTokens: number;
  caps: AgentCaps;
  turn(req: ToolTurnRequest): Promise<ToolTurnResult>;
  /** Called before every turn with the request and the files it holds, e.g. to check the context budget. */
  beforeTurn?(req: ToolTurnRequest, filesInPrompt: SkillFiles): void;
}

export const AGENT_SYSTEM_SUFFIX =
  'The skill folder holds more files than SKILL.md: list_files lists them and read_file returns one. ' +
  'Read only the files this task needs, then answer with the deliverable alone.';

/** The skill's name and description from SKILL.md's front matter, and the body after it. */
export function skillHeader(name: string, skillMd: string): { name: string; description: string; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(skillMd);
  if (!m) return { name, description: '', body: skillMd };
  const field = (key: string) =>
    new RegExp(`^${key}:\\s*(.*)$`, 'm')
      .exec(m[1]!)?.[1]
      ?.trim()
      .replace(/^(["'])(.*)\1$/, '$2');
  return { name: field('name') || name, description: field('description') ?? '', body: skillMd.slice(m[0].length) };
}

/** The first user message of an agent run: the skill as an agent discovers it, then the task. */
export function agentOpening(skill: { name: string; files: SkillFiles }, task: string): string {
  const h = skillHeader(skill.name, skill.files['SKILL.md'] ?? '');
  return [
    `<skill name="${h.name}">`,
    `<description>\n${h.description}\n</description>`,
    `<skill-md>\n${h.body}\n</skill-md>`,
    '</skill>',
    task,
  ].join('\n\n');
}

/**
 * Runs a skill the way an agent uses it (progressive disclosure): the model gets the skill's name, description
 * and SKILL.md body plus list_files and read_file, and turns go on until it answers without a tool call. Bounded
 * by caps.maxTurns; every tool call is returned for recording.
 */
export async function runSkillAgent(input: AgentRunInput): Promise<AgentRun> {
  const { skill, caps } = input;
  const unreadable = input.skill.unreadable ?? [];
  const messages: ToolMessage[] = [{ role: 'user', text: agentOpening(skill, input.task) }];
  const calls: AgentCallRecord[] = [];
  const filesSeen: SkillFiles = skill.files['SKILL.md'] === undefined ? {} : { 'SKILL.md': skill.files['SKILL.md'] };
  const used = { inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0 };
  const readList = () => Object.keys(filesSeen).sort().join(', ') || 'none';
  for (let turn = 1; turn <= caps.maxTurns; turn++) {
    const req: ToolTurnRequest = {
      system: `${input.system} ${AGENT_SYSTEM_SUFFIX}`,
      messages: messages.slice(),
      tools: AGENT_TOOLS,
      maxTokens: input.maxOutputTokens,
    };
    input.beforeTurn?.(req, filesSeen);
    const r = await input.turn(req);
    addUsage(used, r);
    if (used.inputTokens + used.outputTokens > caps.maxTokens)
      throw new AgentCapError(
        'tokens',
        `the agent run of skill "${skill.name}" used ${used.inputTokens + used.outputTokens} tokens in ${turn} turns, ` +
          `over its cap of ${caps.maxTokens}, before it produced the deliverable (files read: ${readList()}); ` +
          'raise the token cap or run the skill with --execution inline',
        calls,
      );
    if (r.toolCalls.length === 0) return { text: r.text, calls, filesSeen, turns: turn, ...used };
    messages.push({ role: 'assistant', text: r.text, toolCalls: r.toolCalls });
    const results = r.toolCalls.map((call) => {
      const answered = answerToolCall(call, skill.files, unreadable);
      calls.push(answered.record);
      if (answered.record.outcome === 'read' && answered.record.path !== null)
        filesSeen[answered.record.path] = skill.files[answered.record.path]!;
      return answered.result;
    });
    messages.push({ role: 'tool', results });
  }
  throw new AgentCapError(
    'turns',
    `the agent run of skill "${skill.name}" reached its cap of ${caps.maxTurns} turns still calling tools, ` +
      `without a deliverable (files read: ${readList()}); raise the turn cap or run the skill with --execution inline`,
    calls,
  );
}

function addUsage(
  used: { inputTokens: number; outputTokens: number; costUsd: number; latencyMs: number },
  r: CompletionResult,
): void {
  used.inputTokens += r.inputTokens;
  used.outputTokens += r.outputTokens;
  used.costUsd += r.costUsd;
  used.latencyMs += r.latencyMs;
}

/** The files an agent run read, in first-read order (SKILL.md excluded: it is always given). */
export function filesRead(calls: readonly AgentCallRecord[]): string[] {
  return [...new Set(calls.filter((c) => c.outcome === 'read' && c.path !== null).map((c) => c.path!))];
}
