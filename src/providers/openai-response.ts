import type { ResponseReading } from './response-reading';
import { isRecord } from './json-fields';

/**
 * Reads a Chat Completions body defensively: the SDK hands back whatever JSON arrived, and compatible servers
 * (Ollama, vLLM, llama.cpp) differ in the details.
 */
export function readChatCompletion(completion: unknown): ResponseReading {
  if (!isRecord(completion)) return { kind: 'malformed', problem: `expected a JSON object, got ${typeof completion}` };
  const choices = completion['choices'];
  const first: unknown = Array.isArray(choices) ? choices[0] : undefined;
  if (!isRecord(first) || !isRecord(first['message'])) return { kind: 'malformed', problem: 'no choices[0].message' };
  const message = first['message'];
  const content = message['content'];
  if (content !== null && content !== undefined && typeof content !== 'string') {
    return { kind: 'malformed', problem: 'message.content is neither a string nor null' };
  }
  const text = content ?? '';
  const finishReason = typeof first['finish_reason'] === 'string' ? first['finish_reason'] : undefined;
  if (text === '' && typeof message['refusal'] === 'string' && message['refusal'] !== '') {
    return { kind: 'withheld', reason: 'the model refused' };
  }
  if (text === '' && finishReason === 'content_filter')
    return { kind: 'withheld', reason: 'finish_reason content_filter' };
  const usage = completion['usage'];
  const prompt = isRecord(usage) ? usage['prompt_tokens'] : undefined;
  const completionTokens = isRecord(usage) ? usage['completion_tokens'] : undefined;
  if (isRecord(usage) && (typeof prompt !== 'number' || typeof completionTokens !== 'number')) {
    return { kind: 'malformed', problem: 'usage lacks prompt_tokens/completion_tokens' };
  }
  // completion_tokens already includes reasoning tokens (o-series). Some compatible servers omit usage altogether:
  // then the tokens are estimated (4 characters a token) so budgets still see the call.
  return {
    kind: 'answer',
    text,
    inputTokens: typeof prompt === 'number' ? prompt : 0,
    outputTokens: typeof completionTokens === 'number' ? completionTokens : Math.ceil(text.length / 4),
    stopReason: finishReason,
  };
}
