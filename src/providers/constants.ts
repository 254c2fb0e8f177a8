// Long generations legitimately take minutes; the Temporal activity timeout is the real outer bound, this only
// stops a call from outliving it when a caller forgets to pass `timeoutMs`.
export const DEFAULT_TIMEOUT_MS = 180_000;

export const JSON_ANSWER_INSTRUCTION =
  'Answer with a single valid JSON value and nothing else: no prose before or after it, no Markdown code fences.';
