// Errors from Node internals (fetch, JSON.parse inside an SDK) can come from another realm than the caller's,
// as under jest's vm sandbox, where `instanceof Error` / `instanceof SyntaxError` is false. Read the shape instead.

export function errorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

export function errorMessage(err: unknown): string {
  if (typeof err === 'string') return err;
  if (typeof err === 'object' && err !== null) {
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** The error itself and its `cause`s, outermost first (bounded, in case of a cycle). */
export function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && chain.length < 5) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * Node's fetch reports every transport failure as `TypeError: fetch failed` with the reason (ECONNREFUSED...)
 * in `cause`; SDKs may wrap that error once more.
 */
export function isFetchFailure(err: unknown): boolean {
  return causeChain(err).some((link) => errorName(link) === 'TypeError' && errorMessage(link) === 'fetch failed');
}

/** The errno-style code of a failed fetch (`TypeError: fetch failed` hides it in `cause`). */
export function networkCode(err: unknown): string | undefined {
  for (const link of causeChain(err)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
