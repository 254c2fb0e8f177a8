import { z } from 'zod';
import { getToken, listTokens, revokeToken, type TokenRecord } from '../../library/token-store';
import { DEFAULT_EXPIRY, issueToken, parseExpiry, ROLES, subjectProblem, tokenStatus } from '../../library/tokens';
import { problems, readJson, sendJson, validate } from '../http';
import type { Route } from '../route';

const createSchema = z.object({
  subject: z.string().min(1).max(100),
  role: z.enum(ROLES, { message: `role must be one of ${ROLES.join(', ')}` }),
  expires: z.string().max(20).default(DEFAULT_EXPIRY),
});

const TOKEN_ID = /^[0-9a-f]{12}$/;

/** What lists and answers show of a token: never the token, never its hash. */
const view = (t: TokenRecord) => ({ ...t, status: tokenStatus(t) });

/** Token lifecycle for admins: issue (the token is in this answer and nowhere else), list, revoke. */
export const tokenRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/tokens',
    role: 'admin',
    async handle({ res, deps }) {
      sendJson(res, 200, { tokens: (await listTokens(deps.db)).map(view) }, { 'cache-control': 'no-store' });
    },
  },
  {
    method: 'POST',
    path: '/v1/tokens',
    role: 'admin',
    async handle({ req, res, identity, deps }) {
      const body = validate(createSchema, await readJson(req));
      const subjectIssue = subjectProblem(body.subject);
      if (subjectIssue) throw problems.badRequest(subjectIssue, 'subject');
      const expiry = parseExpiry(body.expires);
      if ('problem' in expiry) throw problems.badRequest(expiry.problem, 'expires');
      const { token, record } = await issueToken(deps.db, {
        subject: body.subject,
        role: body.role,
        expires: body.expires,
        createdBy: identity!.subject,
      });
      sendJson(res, 201, { ...view(record), token }, { 'cache-control': 'no-store' });
    },
  },
  {
    method: 'POST',
    path: '/v1/tokens/:id/revoke',
    role: 'admin',
    async handle({ res, params, deps }) {
      const id = params.id!;
      if (!TOKEN_ID.test(id) || !(await getToken(deps.db, id)))
        throw problems.notFound(`no token "${id}"; GET /v1/tokens (or \`refinery tokens list\`) shows their ids`);
      const done = await revokeToken(deps.db, id, new Date().toISOString());
      if (!done) throw problems.notFound(`no token "${id}"`);
      // This instance stops accepting it before answering; the others follow the feed within their poll.
      await deps.auth.poll();
      sendJson(res, 200, { ...view(done.token), alreadyRevoked: done.alreadyRevoked });
    },
  },
];
