import { APIConnectionError, APIConnectionTimeoutError, APIError, OpenAIError } from 'openai';
import { abortFailure, malformedResponse, networkFailure, timeoutFailure, unexpectedFailure } from './call-failures';
import type { AbortCause } from './deadline';
import { errorMessage, errorName, isFetchFailure } from './error-shape';
import { ProviderError } from './errors';
import { httpFailure } from './http-failure';
import { isRecord } from './json-fields';
import { redact, sanitizedCause } from './redact';
import { retryAfterFromHeaders } from './retry-after';

export interface OpenAICallContext {
  model: string;
  deadline: AbortCause;
  timeoutMs: number;
  apiKey: string;
}

// OpenAI answers an exhausted prepaid balance or monthly limit with 429 too, but waiting does not help.
const BILLING_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached']);

export function classifyOpenAIError(err: unknown, ctx: OpenAICallContext): ProviderError {
  if (err instanceof ProviderError) return err;
  // Checked first: the SDK reports our own abort as APIUserAbortError whether it was a timeout or a cancel.
  const aborted = abortFailure('openai', ctx.deadline, ctx.timeoutMs, err);
  if (aborted) return aborted;
  if (err instanceof APIConnectionTimeoutError) return timeoutFailure('openai', ctx.timeoutMs, err);
  if (err instanceof APIConnectionError) return networkFailure('openai', err);
  if (err instanceof APIError && typeof err.status === 'number') {
    const headers = err.headers as Headers | undefined;
    const code = typeof err.code === 'string' ? err.code : undefined;
    const detail = isRecord(err.error) && typeof err.error['message'] === 'string' ? err.error['message'] : err.message;
    return httpFailure({
      provider: 'openai',
      status: err.status,
      model: ctx.model,
      detail: redact(detail, [ctx.apiKey]),
      retryAfterMs: headers ? retryAfterFromHeaders((name) => headers.get(name)) : undefined,
      kind: code && BILLING_CODES.has(code) ? 'permission_denied' : undefined,
      cause: sanitizedCause(err),
    });
  }
  // The SDK parses a JSON content-type body with response.json() and lets its SyntaxError through.
  if (errorName(err) === 'SyntaxError') {
    return malformedResponse('openai', ctx.model, `body is not valid JSON (${errorMessage(err)})`, err);
  }
  if (isFetchFailure(err)) return networkFailure('openai', err);
  // Thrown by the SDK before sending anything (bad options); sending the same call again cannot help.
  if (err instanceof OpenAIError) {
    return new ProviderError({
      provider: 'openai',
      kind: 'bad_request',
      message: `the OpenAI SDK refused the request for model ${ctx.model}: ${redact(err.message, [ctx.apiKey])}`,
      cause: sanitizedCause(err),
    });
  }
  return unexpectedFailure('openai', err);
}
