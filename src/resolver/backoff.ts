/**
 * Exponential backoff with jitter: attempt 1 waits about baseMs, each further attempt doubles, capped at
 * maxMs. The jitter (50–100 % of the step) keeps many resolvers restarting together from retrying in step.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(step / 2 + (Math.random() * step) / 2);
}

/**
 * Waits ms, or less if signal aborts. Background waits are unref'd so they never hold the process open;
 * a wait someone awaits on purpose (flush, close) passes ref so the process stays up to finish it.
 */
export function sleep(ms: number, signal?: AbortSignal, ref = false): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (!ref) timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}
