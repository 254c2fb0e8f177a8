import { ProviderError, type ProviderErrorKind } from './errors';
import type { ProviderName } from './types';

export const API_KEY_ENV: Record<ProviderName, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
  openai: 'OPENAI_API_KEY',
  offline: 'no API key (offline provider)',
};

export interface HttpFailure {
  provider: ProviderName;
  status: number;
  model: string;
  /** The API's own explanation; must already be redacted. */
  detail: string | undefined;
  retryAfterMs?: number;
  /** Overrides the status-based kind when the body knows better (Gemini answers a bad key with 400). */
  kind?: ProviderErrorKind;
  cause?: Error;
}

export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 401) return 'auth';
  if (status === 402 || status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  // Gemini signals overload with 503 UNAVAILABLE, Anthropic with its own 529.
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  if (status >= 400) return 'bad_request';
  return 'unknown';
}

export function httpFailure(failure: HttpFailure): ProviderError {
  const kind = failure.kind ?? kindForStatus(failure.status);
  return new ProviderError({
    provider: failure.provider,
    kind,
    status: failure.status,
    retryAfterMs: failure.retryAfterMs,
    message: messageFor(kind, failure),
    cause: failure.cause,
  });
}

// Non-retryable messages name the thing a person has to fix; retryable ones say what happened and for how long to back off.
function messageFor(kind: ProviderErrorKind, { provider, status, model, detail, retryAfterMs }: HttpFailure): string {
  const because = detail ? `: ${detail}` : '';
  const backOff = retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`;
  switch (kind) {
    case 'auth':
      return `${provider} rejected the API key (${status}): check ${API_KEY_ENV[provider]}${because}`;
    case 'permission_denied':
      return `${provider} refused access to model ${model} (${status}): check that the key in ${API_KEY_ENV[provider]} may use it and that billing is set up${because}`;
    case 'not_found':
      return `${provider} model ${model} not found (${status}): check the --executor/--judge model name${because}`;
    case 'bad_request':
      return `${provider} rejected the request to model ${model} as invalid (${status}): check the prompt size and model settings${because}`;
    case 'rate_limited':
      return `${provider} rate limit reached (${status}${backOff})${because}`;
    case 'overloaded':
      return `${provider} is overloaded (${status}${backOff})${because}`;
    case 'timeout':
      return `${provider} timed out on its side (${status}${backOff})${because}`;
    default:
      return `${provider} failed with HTTP ${status}${backOff}${because}`;
  }
}
