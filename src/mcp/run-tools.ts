import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { awaitingRunOf, decidableRun } from '../clients/decide-target';
import { statusOf } from '../clients/tune-status';
import { DEFAULT_EVAL_SETTINGS, startEval, type EvalResult } from '../clients/eval';
import { requireItem } from '../library/versions';
import { getBlob } from '../store/blobs';
import { datasetForTarget, getDataset } from '../store/evals';
import { MAX_CONTINUE_ITERATIONS } from '../tune/state';
import { parseModelChoice } from '../tune/model-choice';
import type { DecisionInput } from '../tune/types';
import { itemName, versionOf } from './library-tools';
import { jsonResult, writer, type McpDeps } from './tool-kit';

const runId = z.string().min(1).max(300);
const TUNE_TYPES = ['tuneWorkflow', 'optimizeWorkflow'];

/** Waits for a promise at most ms; undefined when it has not settled by then. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerRunTools(server: McpServer, deps: McpDeps): void {
  server.registerTool(
    'start_eval',
    {
      title: 'Start an eval',
      description:
        'Starts an eval of a version (by number or label; default production, else the newest) on a golden dataset ' +
        '("name" or "name@version"; default the newest one for the prompt) and returns its run id at once; read the ' +
        'result with eval_result. Costs model calls. Needs a token with the writer role.',
      inputSchema: {
        name: itemName,
        version: z.number().int().positive().optional(),
        label: z.string().min(1).max(63).optional(),
        dataset: z
          .string()
          .regex(/^[^@\s]+(@[1-9][0-9]*)?$/, 'a dataset as name or name@version')
          .optional(),
        threshold: z.number().min(0).max(1).optional().describe('pass-rate threshold of the gate'),
        repeat: z.number().int().min(1).max(50).optional(),
        maxCostUsd: z.number().min(0).max(1e6).optional(),
        model: z.string().max(100).optional().describe('provider:model of the model under test (default auto)'),
        judge: z.string().max(100).optional().describe('provider:model of the rubric judge (default auto)'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    async (args) => {
      writer(deps, 'start_eval');
      const model = parseModelChoice(args.model ?? 'auto', 'model');
      const judge = parseModelChoice(args.judge ?? 'auto', 'judge');
      await requireItem(deps.db, args.name);
      const version = await versionOf(deps, args.name, args, 'version');
      let dataset;
      if (args.dataset) {
        const [dsName, v] = args.dataset.split('@');
        dataset = await getDataset(deps.db, dsName!, v === undefined ? undefined : Number(v));
        if (!dataset) throw new Error(`no dataset ${args.dataset}: import one with \`refinery dataset add\``);
      } else {
        dataset = await datasetForTarget(deps.db, args.name);
        if (!dataset)
          throw new Error(
            `no dataset for "${args.name}": name one (dataset: "name@v") or import one with \`refinery dataset add <ds> <file> --for ${args.name}\``,
          );
      }
      const { client, binding } = await deps.temporal();
      const started = await startEval(
        client,
        binding.taskQueue,
        {
          target: { name: args.name, version },
          dataset: { name: dataset.name, version: dataset.version },
          settings: {
            ...DEFAULT_EVAL_SETTINGS,
            provider: model.provider,
            model: model.model,
            judgeProvider: judge.provider,
            judgeModel: judge.model,
            repeat: args.repeat ?? DEFAULT_EVAL_SETTINGS.repeat,
            maxCostUsd: args.maxCostUsd,
            passRateThreshold: args.threshold ?? DEFAULT_EVAL_SETTINGS.passRateThreshold,
          },
        },
        binding.store,
      );
      return jsonResult({
        runId: started.runId,
        target: { name: args.name, version },
        dataset: { name: dataset.name, version: dataset.version },
        next: `read the result with eval_result {"runId": "${started.runId}"}`,
      });
    },
  );

  server.registerTool(
    'eval_result',
    {
      title: "An eval's result",
      description:
        'The state of an eval run: running, or its summary (pass rate, per assertion, judge, cost, gate) and the ' +
        'markdown report. waitSeconds waits up to that long for a running eval to finish.',
      inputSchema: { runId, waitSeconds: z.number().int().min(0).max(60).default(0) },
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      const { client } = await deps.temporal();
      const handle = client.workflow.getHandle(args.runId);
      let desc;
      try {
        desc = await handle.describe();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new Error(`no eval run "${args.runId}": check the run id`);
        throw err;
      }
      if (desc.type !== 'evalRunWorkflow')
        throw new Error(`"${args.runId}" runs ${desc.type}, not an eval: read tunes with tune_status`);
      let result: EvalResult | undefined;
      try {
        result =
          desc.status.name === 'RUNNING'
            ? await within(handle.result() as Promise<EvalResult>, args.waitSeconds * 1000)
            : desc.status.name === 'COMPLETED'
              ? ((await handle.result()) as EvalResult)
              : undefined;
      } catch (err) {
        if (err instanceof WorkflowFailedError)
          return jsonResult({ runId: args.runId, status: 'failed', failure: err.cause?.message ?? err.message });
        throw err;
      }
      if (!result) {
        const status = desc.status.name === 'RUNNING' ? 'running' : desc.status.name.toLowerCase();
        return jsonResult({ runId: args.runId, status, startedAt: desc.startTime.toISOString() });
      }
      const report = result.reportRef ? await getBlob(deps.db, result.reportRef) : undefined;
      return jsonResult({ runId: args.runId, status: result.status, result, report });
    },
  );

  server.registerTool(
    'tune_status',
    {
      title: "A tune's status",
      description:
        'The status of a tune run (or of a `tune --dataset` optimizer run): phase, scores, a stall awaiting a ' +
        'decision, decisions so far, and the outcome when done. With no worker answering, what the store knows.',
      inputSchema: { workflowId: runId },
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      const { client } = await deps.temporal();
      // Other runs answer a status query too (rollouts, A/B tests), in shapes this tool does not describe.
      const type = await client.workflow
        .getHandle(args.workflowId)
        .describe()
        .then((d) => d.type)
        .catch(() => undefined);
      if (type && !TUNE_TYPES.includes(type))
        throw new Error(`"${args.workflowId}" runs ${type}, not a tune: read evals with eval_result`);
      const answer = await statusOf(client, deps.db, args.workflowId);
      const stalled =
        answer.source === 'workflow'
          ? Boolean(answer.status.stall) && !answer.status.outcome
          : answer.store?.status === 'awaiting-decision';
      return jsonResult({
        workflowId: args.workflowId,
        awaitingDecision: stalled,
        ...(stalled
          ? {
              next: `decide with decide_tune {"workflowId": "${args.workflowId}", "action": "continue"|"accept"|"rollback"|"cancel"} (continue takes "iterations")`,
            }
          : {}),
        ...answer,
      });
    },
  );

  server.registerTool(
    'decide_tune',
    {
      title: 'Decide a stalled tune',
      description:
        'Sends the decision a stalled tune (or optimizer) run waits for: continue (with iterations), accept, ' +
        'rollback or cancel. Name the run by its workflowId, or by its library item: the one run of that item ' +
        'awaiting a decision. Recorded as made by the token’s subject. Needs a token with the writer role.',
      inputSchema: {
        workflowId: runId.optional(),
        item: itemName.optional().describe('a library item whose one run awaiting a decision is decided'),
        action: z.enum(['continue', 'accept', 'rollback', 'cancel']),
        iterations: z.number().int().min(1).max(MAX_CONTINUE_ITERATIONS).optional(),
        note: z.string().max(2000).optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: true },
    },
    async (args) => {
      const actor = writer(deps, 'decide_tune');
      if ((args.workflowId === undefined) === (args.item === undefined))
        throw new Error('decide_tune takes one of "workflowId" (a run id) or "item" (a library item\'s name)');
      const { client } = await deps.temporal();
      // The same rules as `refinery decide` and the API, each field by its own: an id is never read as an item's name
      // (a mistyped id must not decide some other run), and an item's name finds its one run awaiting a decision.
      const target =
        args.workflowId !== undefined
          ? await decidableRun(client, args.workflowId)
          : await awaitingRunOf(client, args.item!, 'decide_tune {"workflowId": "<id>", "action": …}');
      if (!target) throw new Error(`no running tune "${args.workflowId}": check it with tune_status`);
      const workflowId = target.workflowId;
      const decision: DecisionInput = {
        action: args.action,
        iterations: args.iterations,
        note: args.note,
        by: actor.subject,
        // As the API's decide route: the subject comes from a checked token, not from the caller's say-so.
        authenticated: true,
      };
      try {
        const answer = await client.workflow
          .getHandle(workflowId)
          .executeUpdate<string, [DecisionInput]>('decide', { args: [decision] });
        return jsonResult({ workflowId, ...(target.item ? { item: target.item } : {}), answer, by: actor.subject });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          throw new Error(`no running tune "${workflowId}": check it with tune_status`);
        if (err instanceof WorkflowUpdateFailedError)
          throw new Error(`decision refused: ${err.cause?.message ?? err.message}`);
        throw err;
      }
    },
  );
}
