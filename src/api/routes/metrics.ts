import { collectMetrics } from '../../metrics/collect';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from '../../metrics/prometheus';
import type { Route } from '../route';

/** Prometheus scrape target (reader): Prometheus sends the token with `authorization: { credentials: … }`. */
export const metricsRoutes: Route[] = [
  {
    method: 'GET',
    path: '/metrics',
    role: 'reader',
    async handle({ res, deps }) {
      // The store's figures, then this instance's own (failed authentications, auth cache sizes).
      const text = renderExposition([...(await collectMetrics(deps.db)), ...deps.auth.metrics()]);
      res.writeHead(200, {
        'content-type': EXPOSITION_CONTENT_TYPE,
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
      });
      res.end(text);
    },
  },
];
