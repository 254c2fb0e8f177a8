import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { z } from 'zod';
import { DecideTargetError, resolveDecideTarget, type DecideTarget } from '../../clients/decide-target';
import { requireItem } from '../../library/versions';
import { MAX_BAKE_MS, MAX_INTERVAL_MS } from '../../rollout/plan';
import { buildRolloutInput, RolloutRequestError, rolloutWorkflowId, startRollout } from '../../rollout/start';
import type { RolloutStatus } from '../../rollout/types';
import { MAX_CONTINUE_ITERATIONS } from '../../tune/state';
import { HttpProblem, problems, readJson, sendJson, validate } from '../http';
import type { ApiTemporal, RouteContext, Route } from '../route';

/** `by` is the token's subject: a body that names someone is refused rather than silently overridden. */
const noBy = { by: z.never({ message: 'the token decides who acts: leave "by" out' }).optional() };

const startSchema = z.object({
  version: z.number().int().positive(),
  steps: z.array(z.number()).min(1).max(20).optional(),
  bakeMs: z.number().int().nonnegative().max(MAX_BAKE_MS).optional(),
  intervalMs: z.number().int().positive().max(MAX_INTERVAL_MS).optional(),
  maxBakeExtensionMs: z.number().int().nonnegative().max(MAX_BAKE_MS).optional(),
  approval: z.boolean().default(true),
  dataset: z.string().min(1).max(200).optional(),
  datasetVersion: z.number().int().positive().optional(),
  gate: z.boolean().default(true),
  threshold: z.number().min(0).max(1).optional(),
  minSamples: z.number().int().min(2).optional(),
  ...noBy,
});
const approveSchema = z.object({
  decision: z.enum(['approve', 'reject'], { message: 'decision must be "approve" or "reject"' }),
  note: z.string().max(2000).optional(),
  ...noBy,
});
const controlSchema = z.object({
  action: z.enum(['pause', 'resume', 'abort'], { message: 'action must be pause, resume or abort' }),
  reason: z.string().max(2000).optional(),
  ...noBy,
});
const decideSchema = z.object({
  action: z.enum(['continue', 'accept', 'rollback', 'cancel'], {
    message: 'action must be continue, accept, rollback or cancel',
  }),
  iterations: z.number().int().min(1).max(MAX_CONTINUE_ITERATIONS).optional(),
  note: z.string().max(2000).optional(),
  ...noBy,
});

function temporalOf(ctx: RouteContext): ApiTemporal {
  if (!ctx.deps.temporal)
    throw new HttpProblem(
      503,
      'Service Unavailable',
      'this API instance is not connected to Temporal: start it with `refinery api` (TEMPORAL_ADDRESS)',
    );
  return ctx.deps.temporal;
}

/** Rollout actions on an item: its owner, an admin token, or someone named in REFINERY_ADMINS. */
async function requireRolloutActor(ctx: RouteContext, what: string) {
  const item = await requireItem(ctx.deps.db, ctx.params.name!);
  const who = ctx.identity!;
  const admins = ctx.deps.temporal?.admins ?? [];
  if (who.role !== 'admin' && who.subject !== item.owner && !admins.includes(who.subject))
    throw problems.forbidden(`only the owner of "${item.name}" (${item.owner}) or an admin ${what}`);
  return item;
}

/** Temporal's answers as HTTP: no such run 404, a refused update 409 (403 when it names the person). */
async function workflowCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw problems.notFound(`no running ${what}`);
    if (err instanceof WorkflowUpdateFailedError) {
      const detail = err.cause?.message ?? err.message;
      if (/may not approve/.test(detail)) throw problems.forbidden(detail);
      throw new HttpProblem(409, 'Conflict', detail);
    }
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw new HttpProblem(409, 'Conflict', `${what} is already running: see its status`);
    throw err;
  }
}

/**
 * The run `:id` names: a workflow id as it is, or a library item's one run awaiting a decision, by the CLI's own rules
 * (src/clients/decide-target.ts). Naming an item gives no more reach than an id: the route's writer role may decide
 * any tune run, and the name only finds which. None or several: the CLI's message as the detail, and `decideTarget`
 * in the problem so the remote CLI can print it as local mode does.
 */
async function decideTarget(t: ApiTemporal, arg: string): Promise<DecideTarget> {
  try {
    return await resolveDecideTarget(t.client, arg, 'refinery decide <workflow-id> --action …');
  } catch (err) {
    if (!(err instanceof DecideTargetError)) throw err;
    const [status, title] = err.kind === 'none' ? [404, 'Not Found'] : [409, 'Conflict'];
    // 409 also for a run that takes no decision (an improve or chain run): the id exists, the action does not fit it.
    throw new HttpProblem(status, title, err.message, 'id', {}, { decideTarget: err.kind });
  }
}

const rolloutHandle = (ctx: RouteContext): WorkflowHandle =>
  temporalOf(ctx).client.workflow.getHandle(rolloutWorkflowId(ctx.params.name!));

/**
 * Routes that reach a workflow. Whoever acts is the token's subject, sent to the workflow with
 * `authenticated: true`; Web UI signals carry a typed name and are marked otherwise (src/user-identity.ts).
 */
export const workflowRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/rollouts/:name',
    role: 'owner',
    async handle(ctx) {
      const body = validate(startSchema, await readJson(ctx.req));
      await requireRolloutActor(ctx, 'starts its rollout');
      const t = temporalOf(ctx);
      let input;
      try {
        input = await buildRolloutInput(ctx.deps.db, {
          name: ctx.params.name!,
          version: body.version,
          steps: body.steps,
          bakeMs: body.bakeMs,
          evaluationIntervalMs: body.intervalMs,
          maxBakeExtensionMs: body.maxBakeExtensionMs,
          approval: body.approval,
          dataset: body.dataset ? { name: body.dataset, version: body.datasetVersion } : undefined,
          noGate: !body.gate,
          threshold: body.threshold,
          minSamples: body.minSamples,
          startedBy: ctx.identity!.subject,
          admins: t.admins,
        });
      } catch (err) {
        if (err instanceof RolloutRequestError)
          throw err.kind === 'already-running'
            ? new HttpProblem(409, 'Conflict', err.message)
            : problems.badRequest(err.message);
        throw err;
      }
      const handle = await workflowCall(`a rollout of ${input.name}`, () => startRollout(t.client, t.binding, input));
      sendJson(ctx.res, 201, {
        rolloutId: input.rolloutId,
        workflowId: handle.workflowId,
        name: input.name,
        candidateVersion: input.candidateVersion,
        steps: input.steps,
        startedBy: input.startedBy,
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/rollouts/:name',
    role: 'reader',
    async handle(ctx) {
      const handle = rolloutHandle(ctx);
      const status = await workflowCall(`rollout of ${ctx.params.name}`, async () => {
        // A finished run answers queries only while a worker is up: its result holds the same status.
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') return (await handle.result()) as RolloutStatus;
        return handle.query<RolloutStatus>('status');
      });
      sendJson(ctx.res, 200, status);
    },
  },
  {
    method: 'POST',
    path: '/v1/rollouts/:name/approve',
    role: 'owner',
    async handle(ctx) {
      const body = validate(approveSchema, await readJson(ctx.req));
      await requireRolloutActor(ctx, 'approves its rollout');
      const who = ctx.identity!;
      const answer = await workflowCall(`rollout of ${ctx.params.name}`, () =>
        rolloutHandle(ctx).executeUpdate<string, [unknown]>('approve', {
          args: [
            {
              decision: body.decision,
              by: who.subject,
              note: body.note,
              authenticated: true,
              admin: who.role === 'admin' || undefined,
            },
          ],
        }),
      );
      sendJson(ctx.res, 200, { answer, by: who.subject });
    },
  },
  {
    method: 'POST',
    path: '/v1/rollouts/:name/control',
    role: 'owner',
    async handle(ctx) {
      const body = validate(controlSchema, await readJson(ctx.req));
      await requireRolloutActor(ctx, `may ${body.action} its rollout`);
      const by = ctx.identity!.subject;
      const answer = await workflowCall(`rollout of ${ctx.params.name}`, () =>
        rolloutHandle(ctx).executeUpdate<string, [unknown]>('control', {
          args: [{ action: body.action, by, reason: body.reason, authenticated: true }],
        }),
      );
      sendJson(ctx.res, 200, { answer, by });
    },
  },
  {
    method: 'POST',
    path: '/v1/tunes/:id/decide',
    role: 'writer',
    async handle(ctx) {
      const body = validate(decideSchema, await readJson(ctx.req));
      const t = temporalOf(ctx);
      const by = ctx.identity!.subject;
      const target = await decideTarget(t, ctx.params.id!);
      const answer = await workflowCall(`tune run ${target.workflowId}`, () =>
        t.client.workflow.getHandle(target.workflowId).executeUpdate<string, [unknown]>('decide', {
          args: [{ action: body.action, iterations: body.iterations, note: body.note, by, authenticated: true }],
        }),
      );
      sendJson(ctx.res, 200, {
        answer,
        by,
        workflowId: target.workflowId,
        ...(target.item ? { item: target.item } : {}),
      });
    },
  },
];
