import type Anthropic from '@anthropic-ai/sdk';
import { readAnthropicMessage } from './anthropic-response';
import { contentFiltered, malformedResponse } from './call-failures';
import { isRecord } from './json-fields';
import { estimateCostUsd } from './pricing';
import type { ToolCall, ToolTurnRequest, ToolTurnResult } from './tools';

/** A tool conversation as Messages API parameters (tool_use blocks from the assistant, tool_result blocks back). */
export function anthropicToolParams(model: string, req: ToolTurnRequest): Anthropic.MessageCreateParamsNonStreaming {
  const messages: Anthropic.MessageParam[] = req.messages.map((m) => {
    if (m.role === 'user') return { role: 'user', content: m.text };
    if (m.role === 'assistant') {
      const blocks: Anthropic.ContentBlockParam[] = [];
      if (m.text) blocks.push({ type: 'text', text: m.text });
      for (const c of m.toolCalls) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: c.input });
      return { role: 'assistant', content: blocks };
    }
    return {
      role: 'user',
      content: m.results.map((r) => ({
        type: 'tool_result' as const,
        tool_use_id: r.callId,
        content: r.content,
        ...(r.isError ? { is_error: true } : {}),
      })),
    };
  });
  return {
    model,
    max_tokens: req.maxTokens,
    messages,
    tools: req.tools.map((t) => ({
      name: t.name,
      description: t.description,
      input_schema: t.parameters as Anthropic.Tool.InputSchema,
    })),
    ...(req.system ? { system: req.system } : {}),
    ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
  };
}

export function toToolTurnResult(model: string, message: unknown, latencyMs: number): ToolTurnResult {
  const parsed = readAnthropicMessage(message);
  if (parsed.kind === 'malformed') throw malformedResponse('anthropic', model, parsed.problem);
  if (parsed.kind === 'withheld') throw contentFiltered('anthropic', model, parsed.reason);
  const content = isRecord(message) && Array.isArray(message['content']) ? (message['content'] as unknown[]) : [];
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (!isRecord(block) || block['type'] !== 'tool_use') continue;
    const { id, name, input } = block;
    if (typeof id !== 'string' || typeof name !== 'string' || !isRecord(input))
      throw malformedResponse('anthropic', model, 'a tool_use block lacks id, name or an input object');
    toolCalls.push({ id, name, input });
  }
  return {
    text: parsed.text,
    toolCalls,
    provider: 'anthropic',
    model,
    inputTokens: parsed.inputTokens,
    outputTokens: parsed.outputTokens,
    costUsd: estimateCostUsd(model, parsed.inputTokens, parsed.outputTokens),
    latencyMs,
    stopReason: parsed.stopReason,
  };
}
