import type { ResponseReading } from './response-reading';
import { isRecord, numberOrZero } from './json-fields';

/** Reads a Messages API body defensively: the SDK hands back whatever JSON (or, for a non-JSON type, text) arrived. */
export function readAnthropicMessage(message: unknown): ResponseReading {
  if (!isRecord(message)) return { kind: 'malformed', problem: `expected a JSON object, got ${typeof message}` };
  const { content, usage, stop_reason: stopReason } = message;
  if (!Array.isArray(content)) return { kind: 'malformed', problem: 'no content array' };
  if (!isRecord(usage) || typeof usage['input_tokens'] !== 'number' || typeof usage['output_tokens'] !== 'number') {
    return { kind: 'malformed', problem: 'usage lacks input_tokens/output_tokens' };
  }
  const text = content
    .map((block: unknown) =>
      isRecord(block) && block['type'] === 'text' && typeof block['text'] === 'string' ? block['text'] : '',
    )
    .join('');
  if (text === '' && stopReason === 'refusal') return { kind: 'withheld', reason: 'stop_reason refusal' };
  // Prompt-cache reads and writes are input too; counting them keeps cost on the safe (high) side.
  const cached = numberOrZero(usage['cache_creation_input_tokens']) + numberOrZero(usage['cache_read_input_tokens']);
  return {
    kind: 'answer',
    text,
    inputTokens: usage['input_tokens'] + cached,
    outputTokens: usage['output_tokens'],
    stopReason: typeof stopReason === 'string' ? stopReason : undefined,
  };
}
