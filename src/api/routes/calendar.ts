import { z } from 'zod';
import { ackAlert, AlertError, listAlerts, listIncidents, resolveAlert } from '../../calendar/alerts/alert-store';
import {
  listPostRunEvals,
  postRunEvalSchema,
  recordPostRunEval,
  subjectExists,
  subjectHint,
} from '../../calendar/shared/post-run-eval-store';
import { HttpProblem, problems, readJson, sendJson, validate } from '../http';
import type { Route } from '../route';

const STATUSES = ['open', 'acknowledged', 'resolved', 'unresolved', 'all'] as const;
const resolveBody = z.object({
  as: z.enum(['action', 'false-positive'], { message: 'as must be "action" or "false-positive"' }),
  note: z.string().max(5000),
  owner: z.string().min(1).max(200).optional(),
});

/** Alert store errors carry their HTTP status; everything else is the server's fault. */
async function alertCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AlertError)
      throw new HttpProblem(
        err.status,
        err.status === 404 ? 'Not Found' : err.status === 409 ? 'Conflict' : 'Bad Request',
        err.message,
      );
    throw err;
  }
}

/** The calendar's loop-closing endpoints: alerts, the incident log and post-run evals. */
export const calendarRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/alerts',
    role: 'reader',
    async handle({ res, query, deps }) {
      const status = query.get('status') ?? 'unresolved';
      if (!(STATUSES as readonly string[]).includes(status))
        throw problems.badRequest(`status must be one of ${STATUSES.join(', ')}`, 'status');
      const alerts = await listAlerts(deps.db, {
        status: status as (typeof STATUSES)[number],
        name: query.get('name') ?? undefined,
      });
      sendJson(res, 200, { alerts });
    },
  },
  {
    method: 'POST',
    path: '/v1/alerts/:id/ack',
    role: 'writer',
    async handle({ res, params, identity, deps }) {
      sendJson(res, 200, await alertCall(() => ackAlert(deps.db, params.id!, identity!.subject)));
    },
  },
  {
    method: 'POST',
    path: '/v1/alerts/:id/resolve',
    role: 'writer',
    async handle({ req, res, params, identity, deps }) {
      const body = validate(resolveBody, await readJson(req));
      sendJson(
        res,
        200,
        await alertCall(() => resolveAlert(deps.db, params.id!, { ...body, actor: identity!.subject })),
      );
    },
  },
  {
    method: 'GET',
    path: '/v1/incidents',
    role: 'reader',
    async handle({ res, deps }) {
      sendJson(res, 200, { incidents: await listIncidents(deps.db) });
    },
  },
  {
    method: 'POST',
    path: '/v1/post-run-evals',
    role: 'writer',
    async handle({ req, res, identity, deps }) {
      const body = validate(postRunEvalSchema, await readJson(req));
      if (!(await subjectExists(deps.db, body.kind, body.subject)))
        throw problems.badRequest(`no ${body.kind} run "${body.subject}"; ${subjectHint(body.kind)}`, 'subject');
      sendJson(res, 201, await recordPostRunEval(deps.db, body, identity!.subject));
    },
  },
  {
    method: 'GET',
    path: '/v1/post-run-evals',
    role: 'reader',
    async handle({ res, query, deps }) {
      const kind = query.get('kind') ?? undefined;
      if (kind !== undefined && kind !== 'tune' && kind !== 'rollout')
        throw problems.badRequest('kind must be "tune" or "rollout"', 'kind');
      const evals = await listPostRunEvals(deps.db, { kind, subject: query.get('subject') ?? undefined });
      sendJson(res, 200, { evals });
    },
  },
];
