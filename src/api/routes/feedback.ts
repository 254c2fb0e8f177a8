import { getFeedback } from '../../improve/improve-store';
import { problems, sendJson } from '../http';
import type { Route } from '../route';

/**
 * One feedback item and its resolution: once its case was accepted and the version tuned on it reached
 * production, `resolution` names that version, so the application can tell its user (as the webhook event
 * `feedback.resolved` does when pushed). A reader may ask: the resolver's token is one. The correction text
 * is not returned (it may be personal); `hasCorrection` says whether there was one.
 */
export const feedbackRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/feedback/:id',
    role: 'reader',
    async handle(ctx) {
      const id = decodeURIComponent(ctx.params.id!);
      const f = await getFeedback(ctx.deps.db, id);
      if (!f) throw problems.notFound(`no feedback "${id}": feedback is stored by POST /v1/feedback`);
      sendJson(ctx.res, 200, {
        ...f,
        resolved: f.resolution !== null,
        resolution: f.resolution && {
          version: f.resolution.version,
          name: f.resolution.name,
          caseId: f.resolution.caseId,
          dataset: f.resolution.dataset,
          datasetVersion: f.resolution.datasetVersion,
          improveRunId: f.resolution.improveRunId,
          resolvedAt: f.resolution.resolvedAt,
        },
      });
    },
  },
];
