import { ApiError, type ApiClient } from './api-client';
import type { CachedValue } from './cache';
import type { LibraryContent } from './types';

export interface ResolveTarget {
  name: string;
  label: string;
  unit: string | undefined;
}

interface ResolveBody {
  name: string;
  label: string;
  version: number;
  hash: string;
  content: LibraryContent;
  link: string;
  unit?: { id: string; bucket: number };
}

/**
 * GET /v1/resolve/:name. With the hash of what is cached it sends If-None-Match, so a re-fetch that
 * finds nothing changed costs a 304 and no body.
 */
export async function fetchResolved(
  api: ApiClient,
  target: ResolveTarget,
  opts: { hash?: string; timeoutMs: number; signal: AbortSignal },
): Promise<CachedValue | 'unchanged'> {
  const query = new URLSearchParams({ label: target.label });
  if (target.unit !== undefined) query.set('unit', target.unit);
  const res = await api.request<ResolveBody>(
    'GET',
    `/v1/resolve/${encodeURIComponent(target.name)}?${query.toString()}`,
    {
      etag: opts.hash ? `"${opts.hash}"` : undefined,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
    },
  );
  if (res.status === 304) return 'unchanged';
  const b = res.body;
  if (!b || typeof b.version !== 'number' || typeof b.hash !== 'string' || typeof b.content !== 'object') {
    throw new ApiError(`GET /v1/resolve/${target.name}: unexpected answer (is baseUrl a Refinery API?)`, res.status);
  }
  return {
    name: b.name,
    label: b.label,
    version: b.version,
    hash: b.hash,
    content: deepFreeze(b.content),
    link: b.link,
    ...(b.unit ? { unit: b.unit } : {}),
  };
}

/** Every caller shares the cached content: freezing it keeps one caller's edit from reaching the others. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
