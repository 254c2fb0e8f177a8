import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config';
import type { ChunkResult, EvalRunInput } from '../../eval/types';
import {
  checkContextBudget,
  createBatchProvider,
  isBatchProviderName,
  toActivityFailure,
  type BatchProvider,
  type BatchProviderName,
  type BatchSearchResult,
} from '../../providers';
import type { Db } from '../../store/db';
import {
  claimedEvalBatchIds,
  getEvalBatch,
  openEvalBatchIntents,
  recordEvalBatchIntent,
  setEvalBatchId,
  type EvalBatchRecord,
} from '../../store/eval-batches';
import { doneSamples, getCachedResponse, spentUsd } from '../../store/evals';
import { sha256 } from '../../store/hash';
import type { ModelCalls } from '../tune/model-calls';
import { outputCall, type ModelOutput } from './case-runner';
import { triggerAssertionOf } from '../../skills/trigger';
import { chunkContext, runChunk, sampleKey } from './chunk';

/** A submitted batch as the workflow tracks it (no keys, no prompts: this lands in workflow history). */
export interface SubmittedBatch {
  batchKey: string;
  /** Null while a retry could not yet tell which of the provider's batches is the chunk's (polls keep looking). */
  batchId: string | null;
  items: number;
}

// The model is part of the key: a resume that resolves to another model must not collect the first model's answers.
const batchStepKey = (runId: string, chunk: number, provider: string, model: string) =>
  `eval-batch:${runId}:chunk-${chunk}:${provider}:${model}`;

/** Unique to the chunk's batch key, and fits both providers' id rules (Anthropic: ^[a-zA-Z0-9_-]{1,64}$). */
const batchMarker = (batchKey: string) => `rf${sha256(batchKey).slice(0, 16)}`;
const displayName = (b: Pick<EvalBatchRecord, 'runId' | 'chunk' | 'marker'>) =>
  `refinery ${b.runId} chunk ${b.chunk} ${b.marker}`;

// How far the provider's clock may disagree with this worker's when a retry searches the creation window.
const CLOCK_SKEW_MS = 5 * 60_000;

// Creating a batch uploads every request of the chunk; reading results downloads every answer.
const SUBMIT_TIMEOUT_MS = 5 * 60_000;
const RESULTS_TIMEOUT_MS = 10 * 60_000;

/**
 * Batch mode of the eval engine: submit a chunk's output calls as one provider batch, poll it, then evaluate the
 * chunk from its answers. Thin over the batch adapters, the store and the chunk runner the per-call path uses.
 */
export function evalBatchActivities(
  db: Db,
  config: Pick<Config, 'provider' | 'anthropic' | 'gemini' | 'openai'>,
  models: ModelCalls,
) {
  const adapters = new Map<BatchProviderName, BatchProvider>();
  const adapter = (name: BatchProviderName): BatchProvider => {
    // Fails as a per-call chunk would (ProviderNotConfigured) when the worker lacks the key.
    models.provider(name);
    let a = adapters.get(name);
    if (!a) {
      const { apiKey, baseUrl } = models.settings(name);
      a = createBatchProvider(name, { apiKey: apiKey ?? '', baseUrl });
      adapters.set(name, a);
    }
    return a;
  };
  const stored = async (batchKey: string): Promise<EvalBatchRecord> => {
    const batch = await getEvalBatch(db, batchKey);
    if (!batch)
      throw ApplicationFailure.create({
        type: 'EvalBatchMissing',
        message: `no batch is stored under ${batchKey}`,
        nonRetryable: true,
      });
    return batch;
  };

  /**
   * Looks for the batch an earlier attempt created but did not live to store: the provider's recent batches, matched
   * on the chunk's marker and custom ids. Sets the id when found; `undecided` leaves it for a later poll.
   */
  const adopt = async (batch: EvalBatchRecord, signal: AbortSignal): Promise<BatchSearchResult> => {
    const since = new Date(Date.parse(batch.createdAt) - CLOCK_SKEW_MS).toISOString();
    const rivals = (await openEvalBatchIntents(db, batch.provider, since)).filter(
      (r) => r.batchKey !== batch.batchKey && r.items.length === batch.items.length,
    );
    let found: BatchSearchResult;
    try {
      found = await adapter(batch.provider as BatchProviderName).find(
        {
          marker: batch.marker,
          customIds: batch.items.map((i) => i.customId),
          displayName: displayName(batch),
          since,
          until: new Date(Date.now() + CLOCK_SKEW_MS).toISOString(),
          exclude: await claimedEvalBatchIds(db, batch.provider, since),
          adoptUnreadable: rivals.length === 0,
        },
        { signal, timeoutMs: SUBMIT_TIMEOUT_MS },
      );
    } catch (err) {
      throw toActivityFailure(err);
    }
    if (found.kind === 'found') {
      await setEvalBatchId(db, batch.batchKey, found.batchId, 'adopted');
      log.warn('eval batch adopted: an earlier attempt created it but did not store its id', {
        runId: batch.runId,
        chunk: batch.chunk,
        batchId: found.batchId,
        verified: found.verified,
      });
    }
    return found;
  };

  return {
    /**
     * Submits the chunk's outputs that are neither stored nor cached as one provider batch. Null means there is
     * nothing to batch (offline provider, everything done or cached, budget spent): the chunk runs per call.
     * Idempotent: a retry returns the batch an earlier attempt stored, or adopts the one an attempt that died before
     * storing its id created, instead of submitting another.
     */
    async submitEvalBatch(p: { input: EvalRunInput; chunk: number }): Promise<SubmittedBatch | null> {
      const ctx = Context.current();
      // Searching the provider's list, reading candidates' results and uploading a large chunk all take a while:
      // heartbeats let a dead worker's attempt move to another worker within seconds.
      const beat = setInterval(() => ctx.heartbeat({ chunk: p.chunk }), 1000);
      try {
        const { input, chunk } = p;
        const s = input.settings;
        const { work, deps } = await chunkContext(db, models, p);
        const providerName = deps.model.providerName;
        if (!isBatchProviderName(providerName)) return null;
        const batchKey = batchStepKey(input.runId, chunk, providerName, deps.model.name);
        const earlier = await getEvalBatch(db, batchKey);
        if (earlier?.batchId) return { batchKey, batchId: earlier.batchId, items: earlier.items.length };
        if (earlier) {
          // An attempt recorded the intent and died: the provider may hold a batch this run has paid for.
          const found = await adopt(earlier, ctx.cancellationSignal);
          if (found.kind === 'found') return { batchKey, batchId: found.batchId, items: earlier.items.length };
          if (found.kind === 'undecided') return { batchKey, batchId: null, items: earlier.items.length };
        }
        if (s.maxCostUsd !== undefined && (await spentUsd(db, input.runId)) >= s.maxCostUsd) return null;

        const done = await doneSamples(db, input.runId, [...new Set(work.map((w) => w.c.id))]);
        const marker = batchMarker(batchKey);
        const pending = [];
        for (const { c, sample } of work) {
          if (done.has(sampleKey(c.id, sample))) continue;
          // A trigger case asks which skill to load, not the skill's output: it goes as a single call.
          if (triggerAssertionOf(c.assertions)) continue;
          const call = outputCall(deps, c, sample);
          if (!s.noCache && (await getCachedResponse(db, call.cacheKey))) continue;
          // Checked before the batch is sent, as every single call is: refused whole, naming the files, never cut.
          try {
            checkContextBudget({
              provider: providerName,
              model: deps.model.name,
              what: `the prompt of case ${c.id}`,
              text: `${call.request.system ?? ''}\n${call.request.prompt}`,
              maxOutputTokens: call.request.maxTokens,
              files: deps.content.type === 'skill' ? deps.content.files : undefined,
            });
          } catch (err) {
            throw toActivityFailure(err);
          }
          // Ids by position under the chunk's marker: case ids are the dataset author's and need not fit the
          // provider's id pattern, and the marker lets a retry recognise this chunk's batch in the provider's list.
          pending.push({ customId: `${marker}-${pending.length}`, caseId: c.id, sample, request: call.request });
        }
        if (pending.length === 0) return null;

        // The intent goes in before the provider sees the batch: a worker killed after the provider accepted it
        // but before its id is stored leaves this row, and the retry finds the batch instead of paying twice.
        const intent = await recordEvalBatchIntent(db, {
          batchKey,
          runId: input.runId,
          chunk,
          provider: providerName,
          model: deps.model.name,
          marker,
          items: pending.map(({ customId, caseId, sample }) => ({ customId, caseId, sample })),
          createdAt: new Date().toISOString(),
        });
        let batchId: string;
        try {
          batchId = await adapter(providerName).submit(deps.model.name, pending, {
            displayName: displayName(intent),
            signal: ctx.cancellationSignal,
            timeoutMs: SUBMIT_TIMEOUT_MS,
          });
        } catch (err) {
          throw toActivityFailure(err);
        }
        await setEvalBatchId(db, batchKey, batchId, 'submitted');
        log.info('eval batch submitted', { runId: input.runId, chunk, batchId, items: pending.length });
        return { batchKey, batchId, items: pending.length };
      } finally {
        clearInterval(beat);
      }
    },

    /** Whether the chunk's batch has ended: one short provider call, made between the workflow's timers. */
    async pollEvalBatch(p: { batchKey: string }): Promise<{ ended: boolean; state: string }> {
      const batch = await stored(p.batchKey);
      const signal = Context.current().cancellationSignal;
      let batchId = batch.batchId;
      if (!batchId) {
        // Undecided at submit: the candidates become readable as they end, and then one of them is the chunk's.
        const found = await adopt(batch, signal);
        if (found.kind === 'undecided') return { ended: false, state: `looking for the batch (${found.candidates})` };
        if (found.kind === 'none')
          throw ApplicationFailure.create({
            type: 'EvalBatchMissing',
            message: `the provider holds no batch of ${batch.batchKey}: the chunk runs per call`,
            nonRetryable: true,
          });
        batchId = found.batchId;
      }
      try {
        return await adapter(batch.provider as BatchProviderName).state(batchId, { signal });
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
      const batchId = batch.batchId;
      if (!batchId) throw new Error(`the batch of ${p.batchKey} was collected before it was found`);
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat({ chunk, downloading: batchId }), 1000);
      let outcomes;
      try {
        outcomes = await adapter(batch.provider as BatchProviderName).results(batchId, batch.model, {
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
