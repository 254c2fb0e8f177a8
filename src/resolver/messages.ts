import type { ApiError } from './api-client';
import { ResolverError } from './errors';
import type { ResolveTarget } from './remote';

/**
 * Why get() could not resolve a name, and what to do about it: the message names the name, the cause
 * and the fix, since it usually surfaces in an application's log far from Refinery.
 */
export function resolveFailure(
  target: ResolveTarget,
  err: ApiError,
  baseUrl: string,
  hasFallback: boolean,
): ResolverError {
  const what = `"${target.name}" (${target.unit !== undefined ? `unit ${target.unit}, ` : ''}label ${target.label})`;
  let fix: string;
  if (err.status === undefined || err.status >= 500 || err.status === 408 || err.status === 429) {
    fix = `the Refinery API at ${baseUrl} did not answer; check baseUrl and that the API is running`;
  } else if (err.status === 401) {
    fix = 'the API does not accept the token; pass a valid token (create one with `refinery tokens create`)';
  } else if (err.status === 403) {
    fix = 'the token lacks the reader role; use a token with at least reader';
  } else if (err.status === 404) {
    fix = `check the name and label, or push "${target.name}" and set its ${target.label} label`;
  } else {
    fix = 'see the detail above';
  }
  const outcome = hasFallback
    ? `${fix}. Serving the configured fallback for "${target.name}" until the API answers`
    : `no fallback is configured: ${fix}, or pass fallback: { '${target.name}': { content } } to createResolver()`;
  return new ResolverError('resolve-failed', `cannot resolve ${what}: ${err.detail ?? err.message}; ${outcome}`, {
    status: err.status,
    detail: err.detail,
    field: err.field,
    cause: err,
  });
}
