import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { EvalCase, EvalRunInput, ChunkResult } from '../../eval/types';
import { getContent, getVersion } from '../../library/versions';
import type { Db } from '../../store/db';
import { doneSamples, spentUsd } from '../../store/evals';
import type { ModelCalls } from '../tune/model-calls';
import { runCase, type CaseRunDeps, type ModelOutput } from './case-runner';
import { datasetCases } from './dataset-cases';
import { ResultWriter } from './result-writer';
import { enterRun, leaveRun } from './run-registry';

/** Cases whose answer varies from run to run and so take `repeat` samples: rubric-graded ones and trigger cases. */
export const judgeGraded = (assertions: unknown[]) =>
  assertions.some((a) => ['rubric', 'trigger'].includes((a as { type?: string }).type ?? ''));

/** One sample of one case: the unit that is evaluated, stored and skipped on a retry. */
export interface WorkItem {
  c: EvalCase;
  sample: number;
}

export const sampleKey = (caseId: string, sample: number) => `${caseId}#${sample}`;

/**
 * A chunk's work items and everything evaluating them needs except the limiter: the version's content and hash,
 * and the models this worker resolves the settings to. Fails for good when the version is gone.
 */
export async function chunkContext(
  db: Db,
  models: ModelCalls,
  p: { input: EvalRunInput; chunk: number },
): Promise<{ work: WorkItem[]; deps: Omit<CaseRunDeps, 'limiter' | 'cacheResponse'> }> {
  const { input } = p;
  const s = input.settings;
  const all = await datasetCases(db, input.dataset.name, input.dataset.version);
  const cases = all.slice(p.chunk * s.chunkSize, (p.chunk + 1) * s.chunkSize);
  const version = await getVersion(db, input.target.name, { version: input.target.version });
  if (!version)
    throw ApplicationFailure.create({
      type: 'EvalTargetMissing',
      message: `${input.target.name}@${input.target.version} is not in the library`,
      nonRetryable: true,
    });
  const content = await getContent(db, input.target.name, { version: input.target.version });
  const model = models.resolve('executor', { provider: s.provider, model: s.model });
  const judge = models.resolve('judge', { provider: s.judgeProvider, model: s.judgeModel });
  const work = cases.flatMap((c) =>
    Array.from({ length: judgeGraded(c.assertions) ? s.repeat : 1 }, (_, sample) => ({ c, sample })),
  );
  return {
    work,
    deps: {
      db,
      settings: s,
      content,
      contentHash: version.hash,
      itemName: input.target.name,
      model: { provider: models.provider(model.provider), name: model.model, providerName: model.provider },
      judge: { provider: models.provider(judge.provider), name: judge.model, providerName: judge.provider },
    },
  };
}

/**
 * Evaluates one chunk of cases with bounded, adaptive concurrency. Every finished sample is stored at once, so a
 * retry after a crash skips it; heartbeats carry progress. Stops calling (without failing) when the run's spend
 * reaches --max-cost. `batch` is the chunk's ended batch: the outputs it bought are evaluated whatever the budget
 * (they are paid for), and every other sample, a failed batch item included, takes the per-call path.
 */
export async function runChunk(
  db: Db,
  models: ModelCalls,
  p: { input: EvalRunInput; chunk: number },
  batch?: { submitted: ReadonlySet<string>; bought: ReadonlyMap<string, ModelOutput> },
): Promise<ChunkResult> {
  const { input } = p;
  const s = input.settings;
  const { work, deps: base } = await chunkContext(db, models, p);
  const done = await doneSamples(db, input.runId, [...new Set(work.map((w) => w.c.id))]);
  // The run's spend so far matters only under a budget (and summing it is a scan of the run's results).
  const run = enterRun(input.runId, s.concurrency, s.maxCostUsd === undefined ? 0 : await spentUsd(db, input.runId));
  const writer = new ResultWriter(db, input.runId);
  const deps: CaseRunDeps = {
    ...base,
    limiter: run.limiter,
    cacheResponse: (key, r) => writer.cacheResponse(key, r),
  };
  const ctx = Context.current();
  const result: ChunkResult = { evaluated: 0, skipped: 0, fromCache: 0, costUsd: 0, budgetExhausted: false };
  const batchCounts = { bought: 0, fallbacks: 0 };
  const beat = setInterval(
    () => ctx.heartbeat({ chunk: p.chunk, evaluated: result.evaluated, skipped: result.skipped }),
    1000,
  );
  try {
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        const { c, sample } = work[next++]!;
        const key = sampleKey(c.id, sample);
        if (done.has(key)) {
          result.skipped++;
          continue;
        }
        const given = batch?.bought.get(key);
        if (!given && s.maxCostUsd !== undefined && run.spentUsd >= s.maxCostUsd) {
          result.budgetExhausted = true;
          continue;
        }
        const r = await runCase(deps, c, sample, given);
        await writer.store(r);
        run.spentUsd += r.costUsd;
        result.costUsd += r.costUsd;
        result.evaluated++;
        if (r.cached) result.fromCache++;
        if (given) batchCounts.bought++;
        else if (batch?.submitted.has(key)) batchCounts.fallbacks++;
      }
    };
    // As many loops as the limiter could ever allow; the limiter decides how many call at once.
    await Promise.all(Array.from({ length: Math.min(s.concurrency, work.length) }, worker));
  } finally {
    clearInterval(beat);
    // Nothing of this attempt is written after it ends (a failed attempt's answers still reach the cache).
    await writer.drained();
    leaveRun(input.runId);
  }
  return batch ? { ...result, fromBatch: batchCounts.bought, batchFallbacks: batchCounts.fallbacks } : result;
}
