import http from 'node:http';
import { inspect } from 'node:util';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { LiveLabels } from '../library/live-labels';
import { redact } from '../providers/redact';
import type { Db } from '../store/db';
import type { RunBinding } from '../temporal/store-binding';
import { Authenticator } from './auth';
import { closeGracefully, DEFAULT_DRAIN_MS, RequestDrain, shuttingDown, type CloseOutcome } from './drain';
import { HttpProblem, sendProblem } from './http';
import { DEFAULT_RECORD_RATE, TokenBuckets, type RateLimit } from './rate-limit';
import { compile, type ApiDeps, type ApiTemporal } from './route';
import { calendarRoutes } from './routes/calendar';
import { caseRoutes } from './routes/cases';
import { dashboardRoutes } from './routes/dashboard';
import { labelRoutes } from './routes/labels';
import { libraryRoutes } from './routes/library';
import { metaRoutes } from './routes/meta';
import { metricsRoutes } from './routes/metrics';
import { recordRoutes } from './routes/records';
import { feedbackRoutes } from './routes/feedback';
import { resolveRoutes } from './routes/resolve';
import { tokenRoutes } from './routes/tokens';
import { traceRoutes } from './routes/traces';
import { workflowRoutes } from './routes/workflows';

/** Every route the server answers (the OpenAPI test checks each is documented). */
export const ROUTE_LIST = [
  ...metaRoutes,
  ...resolveRoutes,
  ...libraryRoutes,
  ...labelRoutes,
  ...recordRoutes,
  ...calendarRoutes,
  ...dashboardRoutes,
  ...metricsRoutes,
  ...tokenRoutes,
  ...workflowRoutes,
  ...caseRoutes,
  ...traceRoutes,
  ...feedbackRoutes,
];
const ROUTES = ROUTE_LIST.map(compile);

export interface ApiServer {
  server: http.Server;
  url: string;
  live: LiveLabels;
  auth: Authenticator;
  /** Requests whose handlers are running now. */
  readonly inFlight: number;
  /**
   * Stops taking requests, lets those being handled answer (long polls answer at once) for up to the
   * server's drainMs, then destroys what is left. The store may be closed once it resolves.
   */
  close(): Promise<CloseOutcome>;
}

/** The HTTP API over one store: routes, auth, problem+json errors, and the live label cache. */
export async function startApiServer(
  db: Db,
  opts: {
    port: number;
    host?: string;
    publicUrl?: string;
    bootstrapToken?: string;
    pollMs?: number;
    recordRate?: RateLimit;
    temporal?: ApiTemporal;
    /** How long close() waits for requests being handled; default DEFAULT_DRAIN_MS (10 s). */
    drainMs?: number;
  },
): Promise<ApiServer> {
  const live = new LiveLabels(db, opts.pollMs);
  await live.start();
  const auth = new Authenticator(db, opts.bootstrapToken, { pollMs: opts.pollMs });
  await auth.start();
  // The public URL is known once the port is: filled in right after listen, before any request.
  const deps: ApiDeps = {
    db,
    live,
    auth,
    publicUrl: '',
    temporal: opts.temporal,
    recordLimiter: new TokenBuckets(opts.recordRate ?? DEFAULT_RECORD_RATE),
  };
  const drain = new RequestDrain();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A request on a kept-alive connection after close began: refused, so the client retries elsewhere.
    if (drain.closing) return sendProblem(res, shuttingDown(), url.pathname);
    const work = (async () => {
      try {
        const matches = ROUTES.filter((r) => r.regex.test(url.pathname));
        if (matches.length === 0)
          throw new HttpProblem(404, 'Not Found', `no route ${url.pathname}; see /openapi.json`);
        const hit = matches.find((r) => r.route.method === req.method);
        if (!hit) throw new HttpProblem(405, 'Method Not Allowed', `${req.method} is not allowed on ${url.pathname}`);
        const m = hit.regex.exec(url.pathname)!;
        const params = Object.fromEntries(hit.keys.map((k, i) => [k, decodeURIComponent(m[i + 1]!)]));
        const identity = hit.route.role ? await auth.require(req, hit.route.role) : undefined;
        await hit.route.handle({ req, res, params, query: url.searchParams, identity, deps });
      } catch (err) {
        if (!(err instanceof HttpProblem) && !(err instanceof Error && err.name === 'LibraryError')) {
          console.error(redact(`refinery api: ${req.method} ${url.pathname} failed: ${inspect(err)}`));
        }
        if (!res.headersSent) sendProblem(res, err, url.pathname);
        else res.destroy();
      }
    })();
    drain.track(res, work);
  });
  server.keepAliveTimeout = 65_000;
  drain.watch(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  }).catch((err: unknown) => {
    live.stop();
    auth.stop();
    throw err;
  });
  const address = server.address() as { port: number };
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${address.port}`;
  deps.publicUrl = (opts.publicUrl ?? url).replace(/\/$/, '');
  let closing: Promise<CloseOutcome> | undefined;
  return {
    server,
    url,
    live,
    auth,
    get inFlight() {
      return drain.inFlight;
    },
    close() {
      closing ??= (async () => {
        live.stop(); // wakes long polls: they answer with what they have instead of holding the drain
        const outcome = await closeGracefully(server, drain, opts.drainMs ?? DEFAULT_DRAIN_MS);
        auth.stop();
        return outcome;
      })();
      return closing;
    },
  };
}

export function apiOptionsFrom(config: Config, temporal?: { client: Client; binding: RunBinding }) {
  return {
    port: config.api.port,
    host: config.api.host,
    publicUrl: config.api.publicUrl,
    bootstrapToken: config.api.token,
    recordRate: config.api.recordRate,
    temporal: temporal ? { ...temporal, admins: config.identity.admins } : undefined,
  };
}
