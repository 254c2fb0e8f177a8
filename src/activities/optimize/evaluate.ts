import { setMaxListeners } from 'node:events';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { EvalCase, EvalSettings } from '../../eval/types';
import { DEFAULT_EVAL_SETTINGS } from '../../eval/defaults';
import { contentHash, promptContentSchema, type LibraryContent } from '../../library/content';
import {
  candidateResultKey,
  caseHash,
  getCandidateResults,
  insertCandidateResults,
  modelIdentity,
  type CandidateResult,
  type CandidateResultIdentity,
} from '../../optimizer/candidate-result-store';
import type { EvaluateCandidateInput, EvalModels } from '../../optimizer/activity-types';
import type { CandidateRef, EvaluateResponse, Spend } from '../../optimizer/types';
import { supportsTools, type Provider, type ToolProvider, type ToolTurnRequest } from '../../providers';
import type { CompleteOptions } from '../../providers/types';
import { getBlob, putBlob } from '../../store/blobs';
import type { Db, Queryable } from '../../store/db';
import { getCachedResponse } from '../../store/evals';
import { outputCall, runCase, type CaseRunDeps } from '../eval/case-runner';
import { judgeGraded } from '../eval/chunk';
import { datasetCases } from '../eval/dataset-cases';
import { GroupWriter } from '../eval/result-writer';
import { enterRun, leaveRun } from '../eval/run-registry';
import type { ModelCalls } from '../tune/model-calls';

export { noSkillContent } from '../../eval/render';

/**
 * Provider calls in flight at once for one optimizer run on one worker. The run's parallel evaluations share these
 * slots (one limiter per run, as an eval run's chunks share theirs); 16 keeps a handful of parallel proposals busy
 * without the 429s that halve the limit, and the limiter still adapts below it.
 */
const CONCURRENCY = 16;

/** Stores a candidate's content as a blob (content-addressed: storing it again is free) and returns its ref. */
export async function storeCandidate(db: Queryable, content: LibraryContent): Promise<CandidateRef> {
  const parsed = promptContentSchema.parse(content);
  return { hash: contentHash(parsed), ref: await putBlob(db, JSON.stringify(parsed)) };
}

const notInStore = (err: unknown) => err instanceof Error && /is not in the store/.test(err.message);

/** The candidate's content, checked against its hash (a hash names what is evaluated and stored). */
async function readCandidate(db: Db, c: CandidateRef): Promise<LibraryContent> {
  const short = c.hash.slice(0, 12);
  let raw: string;
  try {
    raw = await getBlob(db, c.ref);
  } catch (err) {
    if (!notInStore(err)) throw err;
    throw ApplicationFailure.create({
      type: 'CandidateMissing',
      message: `candidate ${short} is not in the store (no blob ${c.ref}): store it with storeCandidate before evaluating it`,
      nonRetryable: true,
    });
  }
  let parsed: ReturnType<typeof promptContentSchema.safeParse> | undefined;
  try {
    parsed = promptContentSchema.safeParse(JSON.parse(raw));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success || contentHash(parsed.data) !== c.hash)
    throw ApplicationFailure.create({
      type: 'CandidateInvalid',
      message: `blob ${c.ref} does not hold the content of candidate ${short} (${parsed?.success ? 'another content hash' : 'not a prompt or skill'}): pass the ref storeCandidate returned with its hash`,
      nonRetryable: true,
    });
  return parsed.data;
}

/** The requested cases of the dataset, in the order asked (each once); an id the dataset lacks fails for good. */
async function requestedCases(db: Db, input: EvaluateCandidateInput): Promise<EvalCase[]> {
  const { name, version } = input.dataset;
  let all: readonly EvalCase[];
  try {
    all = await datasetCases(db, name, version);
  } catch (err) {
    if (!notInStore(err)) throw err;
    throw ApplicationFailure.create({
      type: 'DatasetMissing',
      message: `dataset ${name}@${version} is not in the store: add it with \`refinery dataset add\` or name one that exists`,
      nonRetryable: true,
    });
  }
  const byId = new Map(all.map((c) => [c.id, c]));
  const ids = [...new Set(input.caseIds)];
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0)
    throw ApplicationFailure.create({
      type: 'UnknownCase',
      message:
        `${unknown.length} case id(s) are not in dataset ${name}@${version}: ${unknown.slice(0, 10).join(', ')}` +
        `${unknown.length > 10 ? ', …' : ''}; ask only for ids of that dataset version (the split is made from it)`,
      nonRetryable: true,
    });
  return ids.map((id) => byId.get(id)!);
}

/**
 * The provider as runCase gets it: counts the calls that were answered (what is paid; a cached answer never gets
 * here) and ends calls in flight when the activity is cancelled. A cancelled call fails with a plain error, which
 * the case runner does not retry.
 */
function paying(provider: Provider, paid: Spend, signal: AbortSignal): Provider & Partial<ToolProvider> {
  const cancelled = () => new Error('the evaluation was cancelled');
  const counted = async <R extends { costUsd: number }>(
    send: (signal: AbortSignal) => Promise<R>,
    given?: AbortSignal,
  ) => {
    if (signal.aborted) throw cancelled();
    try {
      const r = await send(given ? AbortSignal.any([given, signal]) : signal);
      paid.calls++;
      paid.usd += r.costUsd;
      return r;
    } catch (err) {
      if (signal.aborted) throw cancelled();
      throw err;
    }
  };
  return {
    name: provider.name,
    // Agent execution's turns are paid calls too: each one counts against the run's budget.
    ...(supportsTools(provider)
      ? {
          turn: (model: string, req: ToolTurnRequest, options?: CompleteOptions) =>
            counted((s) => provider.turn(model, req, { ...options, signal: s }), options?.signal),
        }
      : {}),
    async complete(model, req, options) {
      if (signal.aborted) throw cancelled();
      try {
        const r = await provider.complete(model, req, {
          ...options,
          signal: options?.signal ? AbortSignal.any([options.signal, signal]) : signal,
        });
        paid.calls++;
        paid.usd += r.costUsd;
        return r;
      } catch (err) {
        if (signal.aborted) throw cancelled();
        throw err;
      }
    },
  };
}

/** The eval engine's settings for runCase: the run's output cap, and the response cache on. */
const evalSettings = (m: EvalModels): EvalSettings => ({
  ...DEFAULT_EVAL_SETTINGS,
  provider: m.executor.provider,
  model: m.executor.model,
  judgeProvider: m.judge.provider,
  judgeModel: m.judge.model,
  concurrency: CONCURRENCY,
  noCache: false,
  maxOutputTokens: m.maxOutputTokens,
  ...(m.execution ? { execution: m.execution } : {}),
});

interface Item {
  c: EvalCase;
  sample: number;
  key: string;
  identity: CandidateResultIdentity;
}

/** Per case: mean score, all passed; over every sample: executor tokens and failures. */
function summarise(cases: readonly EvalCase[], items: readonly Item[], results: Map<string, CandidateResult>) {
  const response: Omit<EvaluateResponse, 'spent'> = { scores: {}, passed: {}, tokens: 0, failures: 0 };
  const byCase = new Map<string, CandidateResult[]>();
  for (const w of items) {
    const r = results.get(w.key)!;
    byCase.set(w.c.id, [...(byCase.get(w.c.id) ?? []), r]);
    response.tokens += r.modelTokens;
    if (r.status === 'error') response.failures++;
  }
  for (const c of cases) {
    const rs = byCase.get(c.id)!;
    response.scores[c.id] = rs.reduce((s, r) => s + r.score, 0) / rs.length;
    response.passed[c.id] = rs.every((r) => r.status === 'pass');
  }
  return response;
}

/** The optimizer's evaluate activity, over the eval engine's case runner. */
export function evaluateCandidateActivity(db: Db, models: ModelCalls) {
  return {
    /**
     * Scores a candidate on some cases of a dataset: `samples` samples of each judge-graded case, one of the others.
     * A sample already stored for this candidate, case, models and parameters (by any run, attempt or worker) is
     * read, not paid again; the rest run through the eval engine's case runner with the response cache on, and each
     * is stored as it finishes. A failed judge or assertion scores its sample 0 and is counted in `failures`; it
     * never fails the activity. `spent` is what this activity actually paid, its earlier attempts included (as far
     * as their heartbeats reported it).
     */
    async evaluateCandidate(input: EvaluateCandidateInput): Promise<EvaluateResponse> {
      if (!Number.isInteger(input.samples) || input.samples < 1)
        throw ApplicationFailure.create({
          type: 'InvalidEvaluateRequest',
          message: `samples must be a whole number ≥ 1, got ${input.samples}`,
          nonRetryable: true,
        });
      const content = await readCandidate(db, input.candidate);
      const cases = await requestedCases(db, input);
      const modelIds = modelIdentity(input.models);
      const items: Item[] = cases.flatMap((c) => {
        const hash = caseHash(c);
        return Array.from({ length: judgeGraded(c.assertions) ? input.samples : 1 }, (_, sample) => {
          const identity = { candidateHash: input.candidate.hash, caseId: c.id, caseHash: hash, sample, ...modelIds };
          return { c, sample, key: candidateResultKey(identity), identity };
        });
      });
      const results = await getCandidateResults(
        db,
        items.map((w) => w.key),
      );
      const todo = items.filter((w) => !results.has(w.key));
      // What earlier attempts of this activity paid, as their last heartbeat recorded it: `spent` covers the retry.
      const prior = (Context.current().info.heartbeatDetails as { paid?: Spend } | undefined)?.paid;
      const paid: Spend = { calls: prior?.calls ?? 0, usd: prior?.usd ?? 0 };
      if (todo.length > 0) await evaluate(todo);
      const response = { ...summarise(cases, items, results), spent: paid };
      Context.current().log.info('candidate evaluated', {
        runId: input.runId,
        candidate: input.candidate.hash.slice(0, 12),
        purpose: input.purpose,
        samples: items.length,
        stored: items.length - todo.length,
        calls: paid.calls,
        failures: response.failures,
      });
      return response;

      async function evaluate(work: Item[]): Promise<void> {
        const ctx = Context.current();
        const signal = ctx.cancellationSignal;
        // Every call in flight listens on the activity's one cancellation signal (the SDK adds a listener per request).
        setMaxListeners(CONCURRENCY * 4, signal);
        const { executor, judge } = input.models;
        const writer = new GroupWriter<CandidateResult>(db, insertCandidateResults);
        // Executor tokens of the answers bought by this attempt, by response-cache key (not yet committed maybe).
        const bought = new Map<string, number>();
        const run = enterRun(`optimize:${input.runId}`, CONCURRENCY, 0);
        const deps: CaseRunDeps = {
          db,
          limiter: run.limiter,
          model: { provider: paying(models.provider(executor.provider), paid, signal), ...named(executor) },
          judge: { provider: paying(models.provider(judge.provider), paid, signal), ...named(judge) },
          settings: evalSettings(input.models),
          content,
          contentHash: input.candidate.hash,
          ...(input.itemName ? { itemName: input.itemName } : {}),
          cacheResponse: (key, r) => {
            bought.set(key, r.inputTokens + r.outputTokens);
            writer.cacheResponse(key, r);
          },
        };
        let evaluated = 0;
        const progress = () => ({ evaluated, stored: items.length - work.length, total: items.length, paid });
        ctx.heartbeat(progress());
        const beat = setInterval(() => ctx.heartbeat(progress()), 1000);
        try {
          let next = 0;
          const loop = async () => {
            while (next < work.length && !signal.aborted) {
              const w = work[next++]!;
              const r = await runCase(deps, w.c, w.sample);
              // A sample cut by the cancellation is no result: the next attempt evaluates it (its answers are cached).
              if (signal.aborted && r.status === 'error') continue;
              const outKey = outputCall(deps, w.c, w.sample).cacheKey;
              const cachedAnswer = bought.has(outKey) ? undefined : await getCachedResponse(db, outKey);
              const row: CandidateResult = {
                ...w.identity,
                key: w.key,
                runId: input.runId,
                status: r.status,
                score: r.score,
                judgeScore: r.judgeScore,
                output: r.output,
                inputTokens: r.inputTokens,
                outputTokens: r.outputTokens,
                modelTokens:
                  bought.get(outKey) ?? (cachedAnswer ? cachedAnswer.inputTokens + cachedAnswer.outputTokens : 0),
                costUsd: r.costUsd,
                assertions: r.assertions,
                error: r.error,
              };
              // No answer at all (the executor's call failed for good): nothing was paid, so nothing is kept; the
              // sample scores 0 here and a later evaluation asks again. A judge or assertion failure is kept.
              if (r.status !== 'error' || bought.has(outKey) || cachedAnswer) await writer.store(row);
              results.set(w.key, row);
              evaluated++;
            }
          };
          // As many loops as the limiter could ever allow; the limiter decides how many call at once.
          await Promise.all(Array.from({ length: Math.min(CONCURRENCY, work.length) }, loop));
        } finally {
          clearInterval(beat);
          // Nothing of this attempt is written after it ends.
          await writer.drained();
          leaveRun(`optimize:${input.runId}`);
        }
        if (signal.aborted) throw new CancelledFailure('the evaluation was cancelled; its finished samples are stored');
      }
    },
  };
}

const named = (m: EvalModels['executor']) => ({ name: m.model, providerName: m.provider });
