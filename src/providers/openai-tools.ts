import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { contentFiltered, malformedResponse } from './call-failures';
import { isRecord } from './json-fields';
import { readChatCompletion } from './openai-response';
import { estimateCostUsd } from './pricing';
import type { ToolCall, ToolTurnRequest, ToolTurnResult } from './tools';

type Params = ChatCompletionCreateParamsNonStreaming;
type Message = Params['messages'][number];

/**
 * A tool conversation as Chat Completions parameters: function tools, the assistant's earlier `tool_calls` (content
 * null when it only called), and one `tool` message per result, matched by `tool_call_id`.
 */
export function openaiToolParams(
  model: string,
  req: ToolTurnRequest,
  limits: Pick<Params, 'max_tokens' | 'max_completion_tokens' | 'temperature'>,
): Params {
  const messages: Message[] = req.system ? [{ role: 'system', content: req.system }] : [];
  for (const m of req.messages) {
    if (m.role === 'user') messages.push({ role: 'user', content: m.text });
    else if (m.role === 'assistant')
      messages.push({
        role: 'assistant',
        content: m.text || null,
        ...(m.toolCalls.length
          ? {
              tool_calls: m.toolCalls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.name, arguments: JSON.stringify(c.input) },
              })),
            }
          : {}),
      });
    else
      for (const r of m.results)
        messages.push({ role: 'tool', tool_call_id: r.callId, content: r.isError ? `error: ${r.content}` : r.content });
  }
  return {
    model,
    messages,
    tools: req.tools.map((t) => ({
      type: 'function' as const,
      function: { name: t.name, description: t.description, parameters: t.parameters },
    })),
    ...limits,
  };
}

/** The turn's text and the function calls it asks for (their JSON arguments parsed; a call with bad JSON is malformed). */
export function toOpenAIToolTurnResult(model: string, completion: unknown, latencyMs: number): ToolTurnResult {
  const parsed = readChatCompletion(completion);
  if (parsed.kind === 'malformed') throw malformedResponse('openai', model, parsed.problem);
  const calls = toolCallsOf(completion);
  if (parsed.kind === 'withheld' && calls.length === 0) throw contentFiltered('openai', model, parsed.reason);
  const toolCalls: ToolCall[] = calls.map((c) => {
    if (!isRecord(c) || typeof c['id'] !== 'string' || !isRecord(c['function']))
      throw malformedResponse('openai', model, 'a tool call lacks id or function');
    const fn = c['function'];
    const name = fn['name'];
    const args = fn['arguments'];
    if (typeof name !== 'string') throw malformedResponse('openai', model, 'a tool call lacks a function name');
    let input: unknown;
    try {
      input = typeof args === 'string' && args.trim() ? JSON.parse(args) : {};
    } catch {
      throw malformedResponse('openai', model, `the arguments of tool call ${name} are not JSON`);
    }
    if (!isRecord(input))
      throw malformedResponse('openai', model, `the arguments of tool call ${name} are not an object`);
    return { id: c['id'], name, input };
  });
  const reading =
    parsed.kind === 'answer' ? parsed : { text: '', inputTokens: 0, outputTokens: 0, stopReason: undefined };
  return {
    text: reading.text,
    toolCalls,
    provider: 'openai',
    model,
    inputTokens: reading.inputTokens,
    outputTokens: reading.outputTokens,
    costUsd: estimateCostUsd(model, reading.inputTokens, reading.outputTokens),
    latencyMs,
    stopReason: reading.stopReason,
  };
}

function toolCallsOf(completion: unknown): unknown[] {
  if (!isRecord(completion) || !Array.isArray(completion['choices'])) return [];
  const first: unknown = completion['choices'][0];
  const message = isRecord(first) ? first['message'] : undefined;
  const calls = isRecord(message) ? message['tool_calls'] : undefined;
  return Array.isArray(calls) ? calls : [];
}
