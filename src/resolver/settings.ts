import { deepFreeze } from './remote';
import type { OutboxOptions } from './outbox';
import type { ResolverError } from './errors';
import type { ResolverOptions } from './types';

export interface Settings {
  baseUrl: string;
  token: string;
  fallback: NonNullable<ResolverOptions['fallback']>;
  refreshIntervalMs: number;
  requestTimeoutMs: number;
  changesWaitSeconds: number;
  maxEntries: number;
  closeTimeoutMs: number;
  batch: OutboxOptions;
  fetch: typeof fetch;
  onError: (err: ResolverError) => void;
}

/** The API refuses batches over 1000 items. */
const API_MAX_BATCH = 1000;

/** Options with defaults applied; a mistake in them throws at createResolver, not later in the background. */
export function settingsFrom(o: ResolverOptions): Settings {
  if (!o || typeof o.baseUrl !== 'string' || !URL.canParse(o.baseUrl)) {
    throw new TypeError(
      `createResolver: baseUrl must be the API's URL, e.g. http://localhost:8080 (got ${String(o?.baseUrl)})`,
    );
  }
  if (typeof o.token !== 'string' || !o.token) {
    throw new TypeError('createResolver: token is required (create one with `refinery tokens create`)');
  }
  const batch = o.batch ?? {};
  const maxItems = int('batch.maxItems', batch.maxItems, 100, 1, API_MAX_BATCH);
  const requestTimeoutMs = int('requestTimeoutMs', o.requestTimeoutMs, 2000, 1);
  const fetchImpl = o.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('createResolver: no fetch available; pass options.fetch');
  const fallback: Settings['fallback'] = {};
  for (const [name, f] of Object.entries(o.fallback ?? {})) {
    if (!f || typeof f.content !== 'object') throw new TypeError(`createResolver: fallback "${name}" needs content`);
    // A private frozen copy: answers share it, and the caller's object stays theirs to change.
    fallback[name] = { ...f, content: deepFreeze(structuredClone(f.content)) };
  }
  return {
    baseUrl: o.baseUrl,
    token: o.token,
    fallback,
    refreshIntervalMs: int('refreshIntervalMs', o.refreshIntervalMs, 30_000, 0),
    requestTimeoutMs,
    changesWaitSeconds: int('changesWaitSeconds', o.changesWaitSeconds, 25, 1, 30),
    maxEntries: int('maxEntries', o.maxEntries, 10_000, 1),
    closeTimeoutMs: int('batch.closeTimeoutMs', batch.closeTimeoutMs, 10_000, 0),
    batch: {
      maxItems,
      maxDelayMs: int('batch.maxDelayMs', batch.maxDelayMs, 1000, 0),
      maxQueue: int('batch.maxQueue', batch.maxQueue, 100_000, 1),
      retryBaseMs: int('batch.retryBaseMs', batch.retryBaseMs, 500, 1),
      retryMaxMs: int('batch.retryMaxMs', batch.retryMaxMs, 30_000, 1),
      sendTimeoutMs: Math.max(10_000, requestTimeoutMs),
    },
    fetch: fetchImpl,
    onError: o.onError ?? ((err) => console.warn(err.message)),
  };
}

function int(name: string, value: number | undefined, fallback: number, min: number, max = Infinity): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `createResolver: ${name} must be a whole number from ${min}${max === Infinity ? '' : ` to ${max}`} (got ${value})`,
    );
  }
  return value;
}
