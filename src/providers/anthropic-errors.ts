import { AnthropicError, APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import { abortFailure, malformedResponse, networkFailure, timeoutFailure, unexpectedFailure } from './call-failures';
import type { AbortCause } from './deadline';
import { errorMessage, errorName } from './error-shape';
import { ProviderError } from './errors';
import { httpFailure } from './http-failure';
import { redact, sanitizedCause } from './redact';
import { retryAfterFromHeaders } from './retry-after';

export interface AnthropicCallContext {
  model: string;
  deadline: AbortCause;
  timeoutMs: number;
  apiKey: string;
}

export function classifyAnthropicError(err: unknown, ctx: AnthropicCallContext): ProviderError {
  if (err instanceof ProviderError) return err;
  // Checked first: the SDK reports our own abort as APIUserAbortError whether it was a timeout or a cancel.
  const aborted = abortFailure('anthropic', ctx.deadline, ctx.timeoutMs, err);
  if (aborted) return aborted;
  if (err instanceof APIConnectionTimeoutError) return timeoutFailure('anthropic', ctx.timeoutMs, err);
  if (err instanceof APIConnectionError) return networkFailure('anthropic', err);
  if (err instanceof APIError && typeof err.status === 'number') {
    const headers = err.headers as Headers | undefined;
    return httpFailure({
      provider: 'anthropic',
      status: err.status,
      model: ctx.model,
      detail: redact(err.apiMessage ?? err.message, [ctx.apiKey]),
      retryAfterMs: headers ? retryAfterFromHeaders((name) => headers.get(name)) : undefined,
      cause: sanitizedCause(err),
    });
  }
  // The SDK parses a JSON content-type body with response.json() and lets its SyntaxError through.
  if (errorName(err) === 'SyntaxError') {
    return malformedResponse('anthropic', ctx.model, `body is not valid JSON (${errorMessage(err)})`, err);
  }
  // Thrown by the SDK before sending anything (bad options); sending the same call again cannot help.
  if (err instanceof AnthropicError) {
    return new ProviderError({
      provider: 'anthropic',
      kind: 'bad_request',
      message: `the Anthropic SDK refused the request for model ${ctx.model}: ${redact(err.message, [ctx.apiKey])}`,
      cause: sanitizedCause(err),
    });
  }
  return unexpectedFailure('anthropic', err);
}
