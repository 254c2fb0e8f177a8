import type { AbortCause } from './deadline';
import { ProviderError } from './errors';
import { API_KEY_ENV } from './http-failure';
import { errorMessage, networkCode } from './error-shape';
import { redact, sanitizedCause } from './redact';
import type { ProviderName } from './types';

// Failures that never got an HTTP status: aborts, transport errors, unreadable bodies, local misconfiguration.

/** Undefined unless the call was aborted by the caller or by our deadline. */
export function abortFailure(
  provider: ProviderName,
  deadline: AbortCause,
  timeoutMs: number,
  err: unknown,
): ProviderError | undefined {
  if (deadline.callerAborted()) {
    return new ProviderError({
      provider,
      kind: 'cancelled',
      message: `${provider} call was cancelled by the caller`,
      cause: sanitizedCause(err),
    });
  }
  if (deadline.timedOut()) return timeoutFailure(provider, timeoutMs, err);
  return undefined;
}

export function timeoutFailure(provider: ProviderName, timeoutMs: number, err: unknown): ProviderError {
  return new ProviderError({
    provider,
    kind: 'timeout',
    message: `${provider} did not answer within ${timeoutMs} ms`,
    cause: sanitizedCause(err),
  });
}

export function networkFailure(provider: ProviderName, err: unknown): ProviderError {
  const code = networkCode(err);
  return new ProviderError({
    provider,
    kind: 'network',
    message: `${provider} could not be reached${code ? ` (${code})` : ''}: ${redact(errorMessage(err))}`,
    cause: sanitizedCause(err),
  });
}

export function malformedResponse(provider: ProviderName, model: string, what: string, err?: unknown): ProviderError {
  return new ProviderError({
    provider,
    kind: 'malformed_response',
    message: `${provider} returned a malformed response for model ${model}: ${redact(what)}`,
    cause: err === undefined ? undefined : sanitizedCause(err),
  });
}

export function contentFiltered(provider: ProviderName, model: string, reason: string): ProviderError {
  return new ProviderError({
    provider,
    kind: 'content_filtered',
    message: `${provider} model ${model} refused or blocked the answer (${reason}): rephrase the prompt or its input`,
  });
}

export function missingApiKey(provider: ProviderName): ProviderError {
  return new ProviderError({
    provider,
    kind: 'auth',
    message: `${provider} has no API key: set ${API_KEY_ENV[provider]}`,
  });
}

export function unexpectedFailure(provider: ProviderName, err: unknown): ProviderError {
  return new ProviderError({
    provider,
    kind: 'unknown',
    message: `${provider} call failed: ${redact(errorMessage(err))}`,
    cause: sanitizedCause(err),
  });
}
