import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import type { LiveLabels } from '../library/live-labels';
import type { Role, TokenIdentity } from '../library/tokens';
import type { Db } from '../store/db';
import type { RunBinding } from '../temporal/store-binding';
import type { Authenticator } from './auth';
import type { TokenBuckets } from './rate-limit';

export interface ApiDeps {
  db: Db;
  live: LiveLabels;
  /** The instance's authenticator: token routes poll its revocation feed, /metrics reads its counters. */
  auth: Authenticator;
  publicUrl: string;
  /** Per-token rate limit of /v1/runs and /v1/feedback. */
  recordLimiter: TokenBuckets;
  /** Temporal, for the routes that reach a workflow (approve a rollout, decide a tune); absent: they answer 503. */
  temporal?: ApiTemporal;
}

export interface ApiTemporal {
  client: Client;
  /** The task queue and run memo of this API's store: rollouts it starts run on that store's workers. */
  binding: RunBinding;
  /** REFINERY_ADMINS: approvers of a rollout started through the API, with the item's owner. */
  admins: string[];
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  identity: TokenIdentity | undefined;
  deps: ApiDeps;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** Path with :params, e.g. /v1/library/:name/labels/:label */
  path: string;
  /** Least role the route needs; undefined for public routes (health, OpenAPI). */
  role: Role | undefined;
  handle(ctx: RouteContext): Promise<void>;
}

export function compile(route: Route): { route: Route; regex: RegExp; keys: string[] } {
  const keys: string[] = [];
  const regex = new RegExp(
    `^${route.path.replace(/:([a-zA-Z]+)/g, (_m, k: string) => {
      keys.push(k);
      return '([^/]+)';
    })}$`,
  );
  return { route, regex, keys };
}
