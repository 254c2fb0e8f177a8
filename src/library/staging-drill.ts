import { ApiClient, ApiError } from '../resolver/api-client';
import { createResolver } from '../resolver';
import type { Resolver } from '../resolver';

/**
 * The rollback drill as an application sees it, shared by `refinery drill` and the quarterly calendar run: `staging`
 * moves through the HTTP API (as a person or a pipeline moves it), a client resolver created against that API
 * follows it, staging is rolled back, and the time until the resolver serves the original again is measured.
 * Production is read before and after and never moved. Nothing here touches the store: the API is the only way in.
 */

export const DRILL_LABEL = 'staging';
/** How long the resolver gets to see each move before the drill calls it failed. */
export const DRILL_SEEN_TIMEOUT_MS = 10_000;

export interface DrillApi {
  url: string;
  token: string;
}

export type StagingDrill =
  | {
      status: 'passed' | 'failed';
      name: string;
      /** Production before the drill (never moved by it). */
      production?: number;
      /** What staging served before the drill and serves after it. */
      original: number;
      /** The version staging was moved away to, and back from. */
      away: number;
      timeToRollbackMs?: number;
      detail: string;
    }
  | { status: 'no-target'; name: string; production?: number; original: number; detail: string };

/** The drill could not start or finish its moves through the API (unreachable, refused, no such prompt). */
export class DrillApiError extends Error {}

interface ItemView {
  labels: Record<string, number>;
  versions: { version: number }[];
}

const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
};

/**
 * Runs one drill of `name`. `away` is the newest version other than the one staging serves (staging starts at
 * production, else the newest version, when it was unset). `reason` prefixes every move's audit reason.
 */
export async function runStagingDrill(
  api: DrillApi,
  name: string,
  opts: { reason: string; seenTimeoutMs?: number; fetch?: typeof fetch },
): Promise<StagingDrill> {
  const seenTimeoutMs = opts.seenTimeoutMs ?? DRILL_SEEN_TIMEOUT_MS;
  const client = new ApiClient(api.url, api.token, opts.fetch ?? fetch);
  const call = async <T>(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<T> => {
    try {
      return (await client.request<T>(method, path, { body, timeoutMs: 10_000 })).body as T;
    } catch (err) {
      if (err instanceof ApiError) throw new DrillApiError(err.detail ? `${err.message}: ${err.detail}` : err.message);
      throw err;
    }
  };
  const item = () => call<ItemView>('GET', `/v1/library/${encodeURIComponent(name)}`);
  const move = (version: number, why: string) =>
    call('PUT', `/v1/library/${encodeURIComponent(name)}/labels/${DRILL_LABEL}`, {
      version,
      reason: `${opts.reason}: ${why}`,
    });

  const before = await item();
  const versions = before.versions.map((v) => v.version);
  const production = before.labels['production'];
  const original = before.labels[DRILL_LABEL] ?? production ?? versions[versions.length - 1];
  if (original === undefined) throw new DrillApiError(`"${name}" has no version to drill`);
  const away = [...versions].reverse().find((v) => v !== original);
  if (away === undefined)
    return {
      status: 'no-target',
      name,
      production,
      original,
      detail: `"${name}" has a single version: a rollback would have nowhere to go`,
    };

  if (before.labels[DRILL_LABEL] === undefined) await move(original, 'baseline');
  const resolver: Resolver = createResolver({ baseUrl: api.url, token: api.token, onError: () => undefined });
  const serves = (version: number) => async () =>
    (await resolver.get(name, { label: DRILL_LABEL })).version === version;
  let movedAway = false;
  try {
    await resolver.get(name, { label: DRILL_LABEL });
    await move(away, 'move away');
    movedAway = true;
    const base = { name, production, original, away };
    if (!(await until(serves(away), seenTimeoutMs)))
      return {
        ...base,
        status: 'failed',
        detail: `the resolver did not see staging move to v${away} within ${seenTimeoutMs / 1000} s: is the API following the store?`,
      };
    const t0 = performance.now();
    await move(original, 'rollback');
    movedAway = false;
    const seen = await until(serves(original), seenTimeoutMs);
    const timeToRollbackMs = Math.round(performance.now() - t0);
    const after = (await item()).labels['production'];
    if (after !== production)
      return {
        ...base,
        status: 'failed',
        detail: `production moved from v${production ?? '—'} to v${after ?? '—'} during the drill (not by the drill)`,
      };
    return seen
      ? {
          ...base,
          status: 'passed',
          timeToRollbackMs,
          detail: `the resolver served v${original} ${timeToRollbackMs} ms after the rollback`,
        }
      : {
          ...base,
          status: 'failed',
          detail: `the resolver still served v${away} ${seenTimeoutMs / 1000} s after the rollback`,
        };
  } finally {
    // A drill that stopped half way never leaves staging away from where it was.
    if (movedAway) await move(original, 'restore').catch(() => undefined);
    await resolver.close();
  }
}
