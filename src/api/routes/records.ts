import { z } from 'zod';
import { feedbackSchema, recordFeedback, recordRuns, runSchema } from '../../library/records';
import { RECORD_WINDOW, recordWindowProblem } from '../../library/record-window';
import { problems, readJson, sendJson, validate } from '../http';
import type { Route, RouteContext } from '../route';

const runsBody = z.object({ runs: z.array(runSchema).min(1).max(1000) });
const feedbackBody = z.object({ feedback: z.array(feedbackSchema).min(1).max(1000) });

type Window = Parameters<typeof recordWindowProblem>[3];

/** The admin import takes any past time, still nothing from the future. */
const IMPORT_WINDOW: Window = { futureMs: RECORD_WINDOW.futureMs, pastMs: undefined };

/** The per-token rate limit, checked before the body is read: a refused request costs the server little. */
export function limit({ identity, deps }: RouteContext, kind: 'runs' | 'feedback' | 'traces'): void {
  // Keyed by the token's public id, so two tokens of one subject each get their own bucket; the bootstrap
  // token has no id and is keyed by its subject.
  const waitMs = deps.recordLimiter.take(identity!.tokenId ?? `subject:${identity!.subject}`);
  if (waitMs > 0)
    throw problems.tooManyRequests(
      `too many /v1/${kind} requests for the token of "${identity!.subject}": wait for retry-after, and send fewer, larger batches`,
      waitMs,
    );
}

function checkWindow(kind: 'runs' | 'feedback', items: { at?: string }[], window: Window): void {
  const problem = recordWindowProblem(kind, items, Date.now(), window);
  if (problem) throw problems.badRequest(problem.message, problem.field);
}

async function acceptRuns(ctx: RouteContext, window: Window): Promise<void> {
  const { req, res, deps } = ctx;
  const body = validate(runsBody, await readJson(req));
  checkWindow('runs', body.runs, window);
  for (const [i, r] of body.runs.entries()) {
    const known = await deps.live.version(r.name, r.version).catch(() => undefined);
    if (!known) throw problems.badRequest(`runs[${i}]: "${r.name}" has no version ${r.version}`, `runs[${i}].version`);
  }
  sendJson(res, 202, await recordRuns(deps.db, body.runs));
}

async function acceptFeedback(ctx: RouteContext, window: Window): Promise<void> {
  const body = validate(feedbackBody, await readJson(ctx.req));
  checkWindow('feedback', body.feedback, window);
  sendJson(ctx.res, 202, await recordFeedback(ctx.deps.db, body.feedback));
}

/**
 * Runs and feedback from applications, in batches; ids make redelivery harmless. Writers send what happens
 * now (timestamps within RECORD_WINDOW, rate-limited per token); an admin imports older history.
 */
export const recordRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/runs',
    role: 'writer',
    async handle(ctx) {
      limit(ctx, 'runs');
      await acceptRuns(ctx, RECORD_WINDOW);
    },
  },
  {
    method: 'POST',
    path: '/v1/feedback',
    role: 'writer',
    async handle(ctx) {
      limit(ctx, 'feedback');
      await acceptFeedback(ctx, RECORD_WINDOW);
    },
  },
  {
    method: 'POST',
    path: '/v1/admin/import/runs',
    role: 'admin',
    handle: (ctx) => acceptRuns(ctx, IMPORT_WINDOW),
  },
  {
    method: 'POST',
    path: '/v1/admin/import/feedback',
    role: 'admin',
    handle: (ctx) => acceptFeedback(ctx, IMPORT_WINDOW),
  },
];
