import { z } from 'zod';
import { moveLabel, rollbackProduction } from '../../library/label-store';
import { versionLink } from '../../library/links';
import { problems, readJson, sendJson, validate } from '../http';
import { requireItem } from '../../library/versions';
import { emergencyRollback } from '../../rollout/emergency';
import type { Route, RouteContext } from '../route';

const moveSchema = z.object({
  version: z.number().int().positive(),
  reason: z.string().min(1, 'say why the label moves').max(2000),
});
const emergencySchema = z.object({
  reason: z.string().min(1, 'say why').max(2000),
  windowMs: z
    .number()
    .int()
    .nonnegative()
    .max(30 * 86_400_000)
    .default(86_400_000),
});
const rollbackSchema = z.object({
  to: z.number().int().positive().optional(),
  reason: z.string().min(1, 'say why you roll back').max(2000),
});

const actorOf = (ctx: RouteContext) => ({
  subject: ctx.identity!.subject,
  admin: ctx.identity!.role === 'admin',
  ownerRole: ctx.identity!.role === 'owner' || ctx.identity!.role === 'admin',
});

/** Label moves and one-call rollback; production needs the item's owner (owner role) or an admin. */
export const labelRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/library/:name/emergency-rollback',
    role: 'owner',
    async handle(ctx) {
      const body = validate(emergencySchema, await readJson(ctx.req));
      const item = await requireItem(ctx.deps.db, ctx.params.name!);
      if (ctx.identity!.role !== 'admin' && ctx.identity!.subject !== item.owner) {
        throw problems.forbidden(`only the owner of "${item.name}" (${item.owner}) or an admin rolls it back`);
      }
      const done = await emergencyRollback(ctx.deps.db, {
        name: item.name,
        actor: actorOf(ctx),
        reason: body.reason,
        windowMs: body.windowMs,
      });
      await ctx.deps.live.poll();
      sendJson(ctx.res, 200, done);
    },
  },
  {
    method: 'PUT',
    path: '/v1/library/:name/labels/:label',
    role: 'writer',
    async handle(ctx) {
      const body = validate(moveSchema, await readJson(ctx.req));
      const move = await moveLabel(ctx.deps.db, {
        name: ctx.params.name!,
        label: decodeURIComponent(ctx.params.label!),
        version: body.version,
        actor: actorOf(ctx),
        reason: body.reason,
      });
      await ctx.deps.live.poll();
      sendJson(ctx.res, 200, {
        ...move,
        actor: ctx.identity!.subject,
        link: versionLink(ctx.deps.publicUrl, move.name, move.toVersion),
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/library/:name/rollback',
    role: 'owner',
    async handle(ctx) {
      const body = validate(rollbackSchema, await readJson(ctx.req));
      const move = await rollbackProduction(ctx.deps.db, {
        name: ctx.params.name!,
        to: body.to,
        actor: actorOf(ctx),
        reason: body.reason,
      });
      await ctx.deps.live.poll();
      sendJson(ctx.res, 200, { ...move, link: versionLink(ctx.deps.publicUrl, move.name, move.toVersion) });
    },
  },
];
