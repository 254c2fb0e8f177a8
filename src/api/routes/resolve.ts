import { versionLink } from '../../library/links';
import { stickyBucket } from '../../library/sticky';
import { PROTECTED_LABEL } from '../../library/labels';
import { sendJson } from '../http';
import type { Route } from '../route';

/**
 * Resolve: the version to serve, by label, or by unit id for flag evaluation (a sticky bucket; the
 * rollout rules that split buckets between versions arrive with guarded rollouts, until then a unit
 * gets `production`). An ETag of the version hash lets pollers get 304s.
 */
export const resolveRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/resolve/:name',
    role: 'reader',
    async handle({ res, req, params, query, deps }) {
      const name = params.name!;
      const unit = query.get('unit') ?? undefined;
      const label = query.get('label') ?? PROTECTED_LABEL;
      // No store query on the hot path: the live cache answers, and asks the store only on a miss.
      const resolved = await deps.live.resolve(name, label);
      const etag = `"${resolved.hash}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag });
        res.end();
        return;
      }
      sendJson(
        res,
        200,
        {
          name,
          label,
          version: resolved.version,
          hash: resolved.hash,
          content: resolved.content,
          link: versionLink(deps.publicUrl, name, resolved.version),
          ...(unit ? { unit: { id: unit, bucket: stickyBucket(unit, name) } } : {}),
        },
        { etag, 'cache-control': 'no-cache' },
      );
    },
  },
];
