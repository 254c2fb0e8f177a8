import type { ToolCall, ToolResult, ToolSpec } from '../providers/tools';
import type { SkillFiles } from './limits';
import { skillPathProblem, showName } from './path-policy';

/** A file the model may see listed but never read: binaries and anything the content shape holds beyond text. */
export interface UnreadableFile {
  path: string;
  size: number;
  mediaType: string;
}

export const AGENT_TOOLS: ToolSpec[] = [
  {
    name: 'list_files',
    description: 'Lists every file of the skill folder with its size. Binary files are listed but cannot be read.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'read_file',
    description:
      'Returns the full text of one file of the skill, by its path relative to the skill folder (as list_files shows it).',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string', description: 'relative path inside the skill, e.g. references/forms.md' } },
      required: ['path'],
      additionalProperties: false,
    },
  },
];

/** What one tool call did, as recorded per run: which file, and whether it was returned. */
export interface AgentCallRecord {
  tool: string;
  path: string | null;
  outcome: 'listed' | 'read' | 'refused' | 'binary' | 'missing' | 'unknown-tool';
  /** Bytes returned to the model. */
  bytes: number;
}

/**
 * Answers one tool call against the skill's files alone: a path goes through the one path policy, only the
 * skill's own text files are returned, binaries are described (path, size, media type), never sent.
 */
export function answerToolCall(
  call: ToolCall,
  files: SkillFiles,
  unreadable: readonly UnreadableFile[],
): { result: ToolResult; record: AgentCallRecord } {
  const reply = (content: string, record: Omit<AgentCallRecord, 'tool'>, isError = false) => ({
    result: { callId: call.id, name: call.name, content, ...(isError ? { isError } : {}) },
    record: { tool: call.name, ...record },
  });
  if (call.name === 'list_files') {
    const lines = [
      ...Object.keys(files)
        .sort()
        .map((p) => `${p} (${Buffer.byteLength(files[p]!)} bytes)`),
      ...unreadable.map((u) => `${u.path} (${u.size} bytes, ${u.mediaType}; binary, not readable)`),
    ];
    const content = lines.join('\n');
    return reply(content, { path: null, outcome: 'listed', bytes: Buffer.byteLength(content) });
  }
  if (call.name !== 'read_file')
    return reply(
      `unknown tool ${showName(call.name)}: use list_files or read_file`,
      { path: null, outcome: 'unknown-tool', bytes: 0 },
      true,
    );
  const path = call.input['path'];
  if (typeof path !== 'string')
    return reply('read_file needs a "path" string', { path: null, outcome: 'refused', bytes: 0 }, true);
  const problem = skillPathProblem(path);
  if (problem) return reply(`refused: ${problem.message}`, { path, outcome: 'refused', bytes: 0 }, true);
  const text = Object.prototype.hasOwnProperty.call(files, path) ? files[path] : undefined;
  if (text !== undefined) return reply(text, { path, outcome: 'read', bytes: Buffer.byteLength(text) });
  const binary = unreadable.find((u) => u.path === path);
  if (binary)
    return reply(
      `${binary.path} (${binary.size} bytes, ${binary.mediaType}) is a binary file: it is never sent to a model`,
      { path, outcome: 'binary', bytes: 0 },
      true,
    );
  return reply(
    `no file ${showName(path)} in this skill: list_files shows its files`,
    { path, outcome: 'missing', bytes: 0 },
    true,
  );
}
