import { ApplicationFailure } from '@temporalio/common';
import { ProviderError } from './errors';
import { errorMessage, errorName } from './error-shape';
import { redact } from './redact';

export const PROVIDER_RETRYABLE = 'ProviderRetryable';
export const PROVIDER_REJECTED = 'ProviderRejected';

/**
 * Turns whatever a provider call threw into the failure an activity should throw, so Temporal's retry policy
 * sees provider verdicts: nonRetryable for requests that cannot succeed as sent, and the provider's
 * retry-after as the next retry delay. Messages are scrubbed of API keys since failures land in workflow history.
 */
export function toActivityFailure(err: unknown): ApplicationFailure {
  if (err instanceof ProviderError) {
    return ApplicationFailure.create({
      type: err.retryable ? PROVIDER_RETRYABLE : PROVIDER_REJECTED,
      message: redact(err.message),
      nonRetryable: !err.retryable,
      nextRetryDelay: err.retryAfterMs,
      details: [{ provider: err.provider, status: err.status, kind: err.kind }],
    });
  }
  if (err instanceof ApplicationFailure) return err;
  // Unknown errors stay retryable, as Temporal would treat them; their cause is dropped since it is not ours to vouch for.
  return ApplicationFailure.create({
    type: errorName(err) ?? 'Error',
    message: redact(errorMessage(err)),
    nonRetryable: false,
  });
}
