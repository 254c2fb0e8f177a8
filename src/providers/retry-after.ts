/**
 * Parses a `retry-after` header: delay-seconds (fractions tolerated) or an HTTP-date.
 * Returns undefined when absent, unparsable or not in the future.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return positive(Math.round(Number(trimmed) * 1000));
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : positive(date - nowMs);
}

/** Reads the non-standard `retry-after-ms` first (Anthropic's SDK honours it too), then `retry-after`. */
export function retryAfterFromHeaders(get: (name: string) => string | null | undefined): number | undefined {
  const ms = get('retry-after-ms');
  if (ms !== null && ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) {
    const parsed = positive(Math.round(Number(ms.trim())));
    if (parsed !== undefined) return parsed;
  }
  return parseRetryAfter(get('retry-after'));
}

/** Parses a protobuf JSON Duration such as "2s" or "0.500s", as used by google.rpc.RetryInfo.retryDelay. */
export function parseProtoDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? positive(Math.round(Number(match[1]) * 1000)) : undefined;
}

function positive(ms: number): number | undefined {
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
