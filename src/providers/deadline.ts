/**
 * One abort signal for an SDK call that fires on the caller's signal or on our own timeout, and remembers
 * which of the two it was: SDKs report both as the same abort error, but only a timeout is the provider's fault.
 */
export interface Deadline extends AbortCause {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** Which of the two ended an aborted call: what error classification asks of a call's deadline. */
export interface AbortCause {
  timedOut(): boolean;
  callerAborted(): boolean;
}

/**
 * The abort cause of a call whose SDK enforces the timeout itself and says so with its own error (Anthropic's and
 * OpenAI's raise APIConnectionTimeoutError): only the caller's signal can abort it, and it is handed to the SDK as is.
 * No controller, timer or listener of our own per call (at 128 calls in flight they cost as much as the SDK's work).
 */
export function callerAbortCause(callerSignal: AbortSignal | undefined): AbortCause {
  return { timedOut: () => false, callerAborted: () => callerSignal?.aborted ?? false };
}

export function startDeadline(timeoutMs: number, callerSignal?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = (): void => controller.abort();
  if (callerSignal?.aborted) controller.abort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  return {
    signal: controller.signal,
    timedOut: () => expired,
    callerAborted: () => callerSignal?.aborted ?? false,
    dispose: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
