import type { ResponseReading } from './response-reading';
import { isRecord, numberOrZero } from './json-fields';

// Finish reasons that mean the answer was withheld, as opposed to cut short (MAX_TOKENS) or finished (STOP).
const WITHHELD_FINISH_REASONS = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII']);

/** Reads a generateContent body defensively: the SDK copies whatever JSON arrived into its response object. */
export function readGeminiResponse(response: unknown): ResponseReading {
  if (!isRecord(response)) return { kind: 'malformed', problem: `expected a JSON object, got ${typeof response}` };
  const feedback = response['promptFeedback'];
  if (isRecord(feedback) && typeof feedback['blockReason'] === 'string') {
    return { kind: 'withheld', reason: `prompt blocked: ${feedback['blockReason']}` };
  }
  const candidates = response['candidates'];
  const first: unknown = Array.isArray(candidates) ? candidates[0] : undefined;
  if (!isRecord(first)) return { kind: 'malformed', problem: 'no candidates' };
  const usage = response['usageMetadata'];
  if (!isRecord(usage) || typeof usage['promptTokenCount'] !== 'number') {
    return { kind: 'malformed', problem: 'usageMetadata lacks promptTokenCount' };
  }

  const content = first['content'];
  const parts: unknown[] = isRecord(content) && Array.isArray(content['parts']) ? content['parts'] : [];
  // Thought parts are the model's hidden reasoning, not its answer.
  const text = parts
    .map((part) => (isRecord(part) && typeof part['text'] === 'string' && part['thought'] !== true ? part['text'] : ''))
    .join('');
  const finishReason = typeof first['finishReason'] === 'string' ? first['finishReason'] : undefined;
  if (text === '' && finishReason !== undefined && WITHHELD_FINISH_REASONS.has(finishReason)) {
    return { kind: 'withheld', reason: `finishReason ${finishReason}` };
  }
  // Gemini bills thinking tokens as output, but reports them apart from candidatesTokenCount.
  const outputTokens = numberOrZero(usage['candidatesTokenCount']) + numberOrZero(usage['thoughtsTokenCount']);
  return { kind: 'answer', text, inputTokens: usage['promptTokenCount'], outputTokens, stopReason: finishReason };
}
