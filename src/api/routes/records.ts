import { z } from 'zod';
import { feedbackSchema, recordFeedback, recordRuns, runSchema } from '../../library/records';
import { problems, readJson, sendJson, validate } from '../http';
import type { Route } from '../route';

const runsBody = z.object({ runs: z.array(runSchema).min(1).max(1000) });
const feedbackBody = z.object({ feedback: z.array(feedbackSchema).min(1).max(1000) });

/** Runs and feedback from applications, in batches; ids make redelivery harmless. */
export const recordRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/runs',
    role: 'writer',
    async handle({ res, req, deps }) {
      const body = validate(runsBody, await readJson(req));
      for (const [i, r] of body.runs.entries()) {
        const known = await deps.live.version(r.name, r.version).catch(() => undefined);
        if (!known)
          throw problems.badRequest(`runs[${i}]: "${r.name}" has no version ${r.version}`, `runs[${i}].version`);
      }
      sendJson(res, 202, await recordRuns(deps.db, body.runs));
    },
  },
  {
    method: 'POST',
    path: '/v1/feedback',
    role: 'writer',
    async handle({ res, req, deps }) {
      const body = validate(feedbackBody, await readJson(req));
      sendJson(res, 202, await recordFeedback(deps.db, body.feedback));
    },
  },
];
