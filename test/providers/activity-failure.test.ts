import { ApplicationFailure } from '@temporalio/common';
import { ProviderError, registerSecret, toActivityFailure } from '../../src/providers';

describe('toActivityFailure', () => {
  it('maps a retryable ProviderError to ProviderRetryable with its retry-after as nextRetryDelay', () => {
    const err = new ProviderError({
      provider: 'gemini',
      kind: 'overloaded',
      status: 503,
      message: 'busy',
      retryAfterMs: 1500,
    });

    const failure = toActivityFailure(err);

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: 'ProviderRetryable',
      message: 'busy',
      nonRetryable: false,
      nextRetryDelay: 1500,
    });
    expect(failure.details).toEqual([{ provider: 'gemini', status: 503, kind: 'overloaded' }]);
  });

  it('maps a non-retryable ProviderError to a nonRetryable ProviderRejected', () => {
    const err = new ProviderError({ provider: 'anthropic', kind: 'not_found', status: 404, message: 'no such model' });

    expect(toActivityFailure(err)).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
  });

  it('lets an explicit retryable flag win over the kind', () => {
    const err = new ProviderError({ provider: 'anthropic', kind: 'bad_request', message: 'odd', retryable: true });

    expect(toActivityFailure(err)).toMatchObject({ type: 'ProviderRetryable', nonRetryable: false });
  });

  it('passes other errors on as retryable failures with the secrets scrubbed from the message', () => {
    registerSecret('sk-marker-KEY-456');

    const failure = toActivityFailure(new TypeError('boom with sk-marker-KEY-456 inside'));

    expect(failure).toMatchObject({ type: 'TypeError', nonRetryable: false, message: 'boom with [redacted] inside' });
    expect(failure.cause).toBeUndefined();
  });

  it('turns thrown non-errors into a message', () => {
    expect(toActivityFailure('plain string').message).toBe('plain string');
    expect(toActivityFailure({ code: 7 }).message).toBe('{"code":7}');
  });

  it('leaves an ApplicationFailure as it is', () => {
    const original = ApplicationFailure.nonRetryable('already decided', 'Custom');

    expect(toActivityFailure(original)).toBe(original);
  });
});
