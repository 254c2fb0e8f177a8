import { versionLink } from '../../library/links';
import { stickyBucket } from '../../library/sticky';
import { armFor } from '../../rollout/assignment';
import { PROTECTED_LABEL } from '../../library/labels';
import { sendJson } from '../http';
import type { Route } from '../route';

/**
 * Resolve: the version to serve, by label, or by unit id for flag evaluation: a unit's sticky bucket
 * puts it in the candidate or the control arm of a running rollout or A/B test, else it gets
 * `production`. An ETag of the version hash lets pollers get 304s.
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
      let resolved = await deps.live.resolve(name, label);
      // Flag evaluation: a running rollout or A/B test splits units of the production label by sticky bucket.
      const rollout = unit && label === PROTECTED_LABEL ? await deps.live.rollout(name) : undefined;
      const bucket = unit ? stickyBucket(unit, rollout?.salt ?? name) : undefined;
      const arm = rollout && bucket !== undefined ? armFor(bucket, rollout.percent) : undefined;
      if (rollout && arm === 'candidate') resolved = await deps.live.version(name, rollout.candidateVersion);
      // An A/B test's first variant need not be production: its arm gets that variant.
      else if (rollout?.kind === 'ab') resolved = await deps.live.version(name, rollout.controlVersion);
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
          ...(unit ? { unit: { id: unit, bucket } } : {}),
          ...(rollout ? { rollout: { id: rollout.rolloutId, kind: rollout.kind, arm, percent: rollout.percent } } : {}),
        },
        { etag, 'cache-control': 'no-cache' },
      );
    },
  },
];
