import { pingStore } from '../../store/db';
import { openApiDocument } from '../openapi';
import { problems, sendJson } from '../http';
import type { Route } from '../route';

/** Health, the OpenAPI document and the label-change feed. */
export const metaRoutes: Route[] = [
  {
    method: 'GET',
    path: '/healthz',
    role: undefined,
    async handle({ res, deps }) {
      await pingStore(deps.db);
      sendJson(res, 200, { ok: true });
    },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    role: undefined,
    handle({ res, deps }) {
      sendJson(res, 200, openApiDocument(deps.publicUrl));
      return Promise.resolve();
    },
  },
  {
    method: 'GET',
    path: '/v1/changes',
    role: 'reader',
    async handle({ res, query, deps }) {
      const since = Number(query.get('since') ?? '0');
      const wait = Number(query.get('wait') ?? '0');
      if (!Number.isInteger(since) || since < 0) throw problems.badRequest('since must be a whole number ≥ 0', 'since');
      if (!(wait >= 0 && wait <= 30)) throw problems.badRequest('wait is seconds from 0 to 30', 'wait');
      sendJson(res, 200, await deps.live.changesSince(since, wait * 1000));
    },
  },
];
