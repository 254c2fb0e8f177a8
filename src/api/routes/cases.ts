import { z } from 'zod';
import { countCases, getCase, listCases, type CaseStatus } from '../../cases/case-store';
import { harvestCases } from '../../cases/harvest';
import { acceptCase, publishAccepted, rejectCase, skipCase, tendenciesFor } from '../../cases/case-review';
import { requireItem } from '../../library/versions';
import { problems, readJson, sendJson, validate } from '../http';
import type { Route, RouteContext } from '../route';

const limitSchema = z.coerce.number().int().nonnegative().max(10_000).optional();
const acceptSchema = z.object({
  expected: z.string().max(20_000).optional(),
  assertions: z.unknown().optional(),
  dataset: z.string().min(1).max(100).optional(),
});
const rejectSchema = z.object({ reason: z.string().trim().min(1, 'say why the case is rejected').max(2000) });
const STATUSES = ['pending', 'skipped', 'accepted', 'rejected'] as const;

/**
 * What enters a dataset drives the gates, so review decisions need the item's owner (owner role) or an
 * admin, as label moves do; reading the queue needs a reader, harvesting (sampling only) a writer.
 */
async function requireReviewer(ctx: RouteContext): Promise<string> {
  const item = await requireItem(ctx.deps.db, ctx.params.name!);
  if (ctx.identity!.role !== 'admin' && ctx.identity!.subject !== item.owner)
    throw problems.forbidden(`only the owner of "${item.name}" (${item.owner}) or an admin reviews its cases`);
  return ctx.identity!.subject;
}

/** The review queue for a UI: the same harvest and review as `refinery cases`. */
export const caseRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/cases/:name',
    role: 'reader',
    async handle(ctx) {
      const name = ctx.params.name!;
      await requireItem(ctx.deps.db, name);
      const raw = ctx.query.get('status');
      const statuses = raw ? raw.split(',') : undefined;
      const bad = statuses?.find((s) => !(STATUSES as readonly string[]).includes(s));
      if (bad) throw problems.badRequest(`status "${bad}" is not one of ${STATUSES.join(', ')}`, 'status');
      const cases = await listCases(ctx.deps.db, name, { statuses: statuses as CaseStatus[] | undefined });
      sendJson(ctx.res, 200, {
        name,
        counts: await countCases(ctx.deps.db, name),
        cases,
        tendencies: await tendenciesFor(ctx.deps.db, name, cases),
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/cases/:name/harvest',
    role: 'writer',
    async handle(ctx) {
      const raw = ctx.query.get('limit');
      const limit = raw === null ? undefined : limitSchema.safeParse(raw);
      if (limit && !limit.success)
        throw problems.badRequest(`limit must be a whole number from 0 to 10000, not "${raw}"`, 'limit');
      sendJson(ctx.res, 200, await harvestCases(ctx.deps.db, ctx.params.name!, { limit: limit?.data }));
    },
  },
  {
    method: 'GET',
    path: '/v1/cases/:name/:caseId',
    role: 'reader',
    async handle(ctx) {
      const c = await getCase(ctx.deps.db, ctx.params.name!, ctx.params.caseId!);
      sendJson(ctx.res, 200, { case: c, tendencies: await tendenciesFor(ctx.deps.db, c.name, [c]) });
    },
  },
  {
    method: 'POST',
    path: '/v1/cases/:name/:caseId/accept',
    role: 'owner',
    async handle(ctx) {
      const reviewer = await requireReviewer(ctx);
      const body = validate(acceptSchema, await readJson(ctx.req));
      const name = ctx.params.name!;
      const c = await acceptCase(
        ctx.deps.db,
        name,
        ctx.params.caseId!,
        { expected: body.expected, assertions: body.assertions },
        reviewer,
      );
      const published = await publishAccepted(ctx.deps.db, name, { dataset: body.dataset, author: reviewer });
      sendJson(ctx.res, 200, {
        case: published ? await getCase(ctx.deps.db, name, c.caseId) : c,
        dataset: published?.dataset,
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/cases/:name/:caseId/reject',
    role: 'owner',
    async handle(ctx) {
      const reviewer = await requireReviewer(ctx);
      const body = validate(rejectSchema, await readJson(ctx.req));
      sendJson(ctx.res, 200, {
        case: await rejectCase(ctx.deps.db, ctx.params.name!, ctx.params.caseId!, body.reason, reviewer),
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/cases/:name/:caseId/skip',
    role: 'owner',
    async handle(ctx) {
      const reviewer = await requireReviewer(ctx);
      sendJson(ctx.res, 200, { case: await skipCase(ctx.deps.db, ctx.params.name!, ctx.params.caseId!, reviewer) });
    },
  },
];
