import { ApiError } from '@google/genai';
import { abortFailure, malformedResponse, networkFailure, timeoutFailure, unexpectedFailure } from './call-failures';
import type { Deadline } from './deadline';
import { errorMessage, errorName, isFetchFailure } from './error-shape';
import { ProviderError } from './errors';
import { parseGoogleErrorBody } from './google-error-body';
import { httpFailure } from './http-failure';
import { redact, sanitizedCause } from './redact';
import { retryAfterFromHeaders } from './retry-after';

export interface GeminiCallContext {
  model: string;
  deadline: Deadline;
  timeoutMs: number;
  apiKey: string;
  /** Headers of the response that failed, captured by our fetch wrapper; ApiError does not keep them. */
  headers: Headers | undefined;
}

export function classifyGeminiError(err: unknown, ctx: GeminiCallContext): ProviderError {
  if (err instanceof ProviderError) return err;
  const aborted = abortFailure('gemini', ctx.deadline, ctx.timeoutMs, err);
  if (aborted) return aborted;
  if (errorName(err) === 'AbortError') return timeoutFailure('gemini', ctx.timeoutMs, err);
  if (err instanceof ApiError) {
    const body = parseGoogleErrorBody(err.message);
    const headers = ctx.headers;
    const headerDelayMs = headers ? retryAfterFromHeaders((name) => headers.get(name)) : undefined;
    return httpFailure({
      provider: 'gemini',
      status: err.status,
      model: ctx.model,
      detail: redact(body.message ?? err.message, [ctx.apiKey]),
      retryAfterMs: headerDelayMs ?? body.retryDelayMs,
      // Gemini answers a wrong key with 400 INVALID_ARGUMENT, not 401.
      kind: body.reasons.includes('API_KEY_INVALID') ? 'auth' : undefined,
      cause: sanitizedCause(err),
    });
  }
  // The SDK reads a 200 body with response.json() and lets its SyntaxError through.
  if (errorName(err) === 'SyntaxError') {
    return malformedResponse('gemini', ctx.model, `body is not valid JSON (${errorMessage(err)})`, err);
  }
  if (isFetchFailure(err)) {
    return networkFailure('gemini', err);
  }
  return unexpectedFailure('gemini', err);
}
