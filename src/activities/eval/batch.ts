import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config';
import type { ChunkResult, EvalRunInput } from '../../eval/types';
import {
  createBatchProvider,
  isBatchProviderName,
  toActivityFailure,
  type BatchProvider,
  type BatchProviderName,
} from '../../providers';
import type { Db } from '../../store/db';
import { doneSamples, getCachedResponse, spentUsd } from '../../store/evals';
import { getStepResult, putStepResult } from '../../store/tune-runs';
import type { ModelCalls } from '../tune/model-calls';
import { outputCall, type ModelOutput } from './case-runner';
import { chunkContext, runChunk, sampleKey } from './chunk';

/** What a chunk's batch is, stored once under its step key: the id to poll, and which sample each item answers. */
interface StoredBatch {
  provider: BatchProviderName;
  model: string;
  batchId: string;
  items: { customId: string; caseId: string; sample: number }[];
}

/** A submitted batch as the workflow tracks it (no keys, no prompts: this lands in workflow history). */
export interface SubmittedBatch {
  batchKey: string;
  batchId: string;
  items: number;
}

// The model is part of the key: a resume that resolves to another model must not collect the first model's answers.
const batchStepKey = (runId: string, chunk: number, provider: string, model: string) =>
  `eval-batch:${runId}:chunk-${chunk}:${provider}:${model}`;

// Creating a batch uploads every request of the chunk; reading results downloads every answer.
const SUBMIT_TIMEOUT_MS = 5 * 60_000;
const RESULTS_TIMEOUT_MS = 10 * 60_000;

/**
 * Batch mode of the eval engine: submit a chunk's output calls as one provider batch, poll it, then evaluate the
 * chunk from its answers. Thin over the batch adapters, the store and the chunk runner the per-call path uses.
 */
export function evalBatchActivities(
  db: Db,
  config: Pick<Config, 'provider' | 'anthropic' | 'gemini'>,
  models: ModelCalls,
) {
  const adapters = new Map<BatchProviderName, BatchProvider>();
  const adapter = (name: BatchProviderName): BatchProvider => {
    // Fails as a per-call chunk would (ProviderNotConfigured) when the worker lacks the key.
    models.provider(name);
    let a = adapters.get(name);
    if (!a) {
      const { apiKey, baseUrl } = config[name];
      a = createBatchProvider(name, { apiKey: apiKey ?? '', baseUrl });
      adapters.set(name, a);
    }
    return a;
  };
  const stored = async (batchKey: string): Promise<StoredBatch> => {
    const batch = await getStepResult<StoredBatch>(db, batchKey);
    if (!batch)
      throw ApplicationFailure.create({
        type: 'EvalBatchMissing',
        message: `no batch is stored under ${batchKey}`,
        nonRetryable: true,
      });
    return batch;
  };

  return {
    /**
     * Submits the chunk's outputs that are neither stored nor cached as one provider batch. Null means there is
     * nothing to batch (offline provider, everything done or cached, budget spent): the chunk runs per call.
     * Idempotent: a retry returns the batch an earlier attempt stored instead of submitting another.
     */
    async submitEvalBatch(p: { input: EvalRunInput; chunk: number }): Promise<SubmittedBatch | null> {
      const { input, chunk } = p;
      const s = input.settings;
      const { work, deps } = await chunkContext(db, models, p);
      const providerName = deps.model.providerName;
      if (!isBatchProviderName(providerName)) return null;
      const batchKey = batchStepKey(input.runId, chunk, providerName, deps.model.name);
      const earlier = await getStepResult<StoredBatch>(db, batchKey);
      if (earlier) return { batchKey, batchId: earlier.batchId, items: earlier.items.length };
      if (s.maxCostUsd !== undefined && (await spentUsd(db, input.runId)) >= s.maxCostUsd) return null;

      const done = await doneSamples(db, input.runId);
      const pending = [];
      for (const { c, sample } of work) {
        if (done.has(sampleKey(c.id, sample))) continue;
        const call = outputCall(deps, c, sample);
        if (!s.noCache && (await getCachedResponse(db, call.cacheKey))) continue;
        // Ids by position: case ids are the dataset author's and need not fit the provider's id pattern.
        pending.push({ customId: `item-${pending.length}`, caseId: c.id, sample, request: call.request });
      }
      if (pending.length === 0) return null;

      const ctx = Context.current();
      let batchId: string;
      try {
        batchId = await adapter(providerName).submit(deps.model.name, pending, {
          displayName: `refinery ${input.runId} chunk ${chunk}`,
          signal: ctx.cancellationSignal,
          timeoutMs: SUBMIT_TIMEOUT_MS,
        });
      } catch (err) {
        throw toActivityFailure(err);
      }
      // A crash between the provider accepting the batch and this line leaves that batch orphaned (paid, unread):
      // neither API takes an idempotency key for batch creation, so this is the narrowest the window gets.
      await putStepResult(db, batchKey, {
        provider: providerName,
        model: deps.model.name,
        batchId,
        items: pending.map(({ customId, caseId, sample }) => ({ customId, caseId, sample })),
      } satisfies StoredBatch);
      log.info('eval batch submitted', { runId: input.runId, chunk, batchId, items: pending.length });
      return { batchKey, batchId, items: pending.length };
    },

    /** Whether the chunk's batch has ended: one short provider call, made between the workflow's timers. */
    async pollEvalBatch(p: { batchKey: string }): Promise<{ ended: boolean; state: string }> {
      const batch = await stored(p.batchKey);
      try {
        return await adapter(batch.provider).state(batch.batchId, { signal: Context.current().cancellationSignal });
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /**
     * Evaluates the chunk from its ended batch: each answer is cached, checked, judged and stored like a per-call
     * one, at batch prices. Items that errored, expired or were cancelled, and any the batch did not report, take
     * the per-call path; stored samples are skipped as on any retry.
     */
    async collectEvalBatch(p: { input: EvalRunInput; chunk: number; batchKey: string }): Promise<ChunkResult> {
      const { input, chunk } = p;
      const batch = await stored(p.batchKey);
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat({ chunk, downloading: batch.batchId }), 1000);
      let outcomes;
      try {
        outcomes = await adapter(batch.provider).results(batch.batchId, batch.model, {
          signal: ctx.cancellationSignal,
          timeoutMs: RESULTS_TIMEOUT_MS,
        });
      } catch (err) {
        throw toActivityFailure(err);
      } finally {
        clearInterval(beat);
      }
      const byId = new Map(batch.items.map((item) => [item.customId, item]));
      const bought = new Map<string, ModelOutput>();
      // A worker that resolves `auto` differently from the submitting one would file these answers under another model.
      const now = models.resolve('executor', { provider: input.settings.provider, model: input.settings.model });
      const sameModel = now.provider === batch.provider && now.model === batch.model;
      for (const outcome of sameModel ? outcomes : []) {
        const item =
          byId.get(outcome.customId) ?? (outcome.index === undefined ? undefined : batch.items[outcome.index]);
        if (!item) continue;
        if (outcome.kind === 'succeeded') {
          const r = outcome.result;
          bought.set(sampleKey(item.caseId, item.sample), {
            text: r.text,
            inputTokens: r.inputTokens,
            outputTokens: r.outputTokens,
            costUsd: r.costUsd,
            latencyMs: null,
            cached: false,
          });
        } else {
          log.info('eval batch item falls back to a single call', {
            runId: input.runId,
            chunk,
            caseId: item.caseId,
            sample: item.sample,
            reason: outcome.reason,
          });
        }
      }
      const submitted = new Set(batch.items.map((item) => sampleKey(item.caseId, item.sample)));
      return runChunk(db, models, p, { submitted, bought });
    },
  };
}
