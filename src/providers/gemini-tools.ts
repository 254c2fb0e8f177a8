import type { Content, GenerateContentParameters } from '@google/genai';
import { contentFiltered, malformedResponse } from './call-failures';
import { readGeminiResponse } from './gemini-response';
import { isRecord } from './json-fields';
import { estimateCostUsd } from './pricing';
import type { ToolCall, ToolTurnRequest, ToolTurnResult } from './tools';

/** A tool conversation as generateContent parameters (functionCall parts from the model, functionResponse back). */
export function geminiToolParams(
  model: string,
  req: ToolTurnRequest,
  abortSignal: AbortSignal,
  fetchFn: typeof fetch,
): GenerateContentParameters {
  const contents: Content[] = req.messages.map((m) => {
    if (m.role === 'user') return { role: 'user', parts: [{ text: m.text }] };
    if (m.role === 'assistant')
      return {
        role: 'model',
        parts: [
          ...(m.text ? [{ text: m.text }] : []),
          ...m.toolCalls.map((c) => ({
            functionCall: { id: c.id, name: c.name, args: c.input },
            ...(c.signature ? { thoughtSignature: c.signature } : {}),
          })),
        ],
      };
    return {
      role: 'user',
      parts: m.results.map((r) => ({
        functionResponse: {
          id: r.callId,
          name: r.name,
          response: r.isError ? { error: r.content } : { output: r.content },
        },
      })),
    };
  });
  return {
    model,
    contents,
    config: {
      ...(req.system ? { systemInstruction: req.system } : {}),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      maxOutputTokens: req.maxTokens,
      tools: [
        {
          functionDeclarations: req.tools.map((t) => ({
            name: t.name,
            description: t.description,
            parametersJsonSchema: t.parameters,
          })),
        },
      ],
      // The declarations carry no callables, but say it: the caller runs the tools, one request per call.
      automaticFunctionCalling: { disable: true },
      abortSignal,
      automaticContinuation: false,
      httpOptions: { fetch: fetchFn },
    },
  };
}

export function toGeminiToolTurnResult(model: string, response: unknown, latencyMs: number): ToolTurnResult {
  const parsed = readGeminiResponse(response);
  if (parsed.kind === 'malformed') throw malformedResponse('gemini', model, parsed.problem);
  if (parsed.kind === 'withheld') throw contentFiltered('gemini', model, parsed.reason);
  const candidates = isRecord(response) ? response['candidates'] : undefined;
  const first: unknown = Array.isArray(candidates) ? candidates[0] : undefined;
  const content = isRecord(first) ? first['content'] : undefined;
  const parts: unknown[] = isRecord(content) && Array.isArray(content['parts']) ? content['parts'] : [];
  const toolCalls: ToolCall[] = [];
  for (const [i, part] of parts.entries()) {
    const call = isRecord(part) ? part['functionCall'] : undefined;
    if (call === undefined) continue;
    if (!isRecord(call) || typeof call['name'] !== 'string')
      throw malformedResponse('gemini', model, 'a functionCall part lacks a name');
    const args = call['args'] ?? {};
    if (!isRecord(args)) throw malformedResponse('gemini', model, 'a functionCall part has non-object args');
    // Gemini ids are optional: a stable one per part keeps results matched to calls.
    const signature =
      isRecord(part) && typeof part['thoughtSignature'] === 'string' ? part['thoughtSignature'] : undefined;
    toolCalls.push({
      id: typeof call['id'] === 'string' ? call['id'] : `call-${i}`,
      name: call['name'],
      input: args,
      ...(signature ? { signature } : {}),
    });
  }
  return {
    text: parsed.text,
    toolCalls,
    provider: 'gemini',
    model,
    inputTokens: parsed.inputTokens,
    outputTokens: parsed.outputTokens,
    costUsd: estimateCostUsd(model, parsed.inputTokens, parsed.outputTokens),
    latencyMs,
    stopReason: parsed.stopReason,
  };
}
