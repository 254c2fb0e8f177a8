import { z } from 'zod';
import { moveLabel, rollbackProduction } from '../../library/label-store';
import { versionLink } from '../../library/links';
import { readJson, sendJson, validate } from '../http';
import type { Route, RouteContext } from '../route';

const moveSchema = z.object({
  version: z.number().int().positive(),
  reason: z.string().min(1, 'say why the label moves').max(2000),
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
