import { aggregate, rubricResult, runAssertion, type Assertion, type AssertionResult } from '../../eval/assertions';
import { responseCacheKey } from '../../eval/cache-key';
import type { AdaptiveLimiter } from '../../eval/limiter';
import { renderRequest } from '../../eval/render';
import { parseRubricVerdict, rubricRequest } from '../../eval/rubric-judge';
import type { EvalCase, EvalSettings } from '../../eval/types';
import type { LibraryContent } from '../../library/content';
import {
  checkContextBudget,
  isProviderError,
  type CompletionRequest,
  type CompletionResult,
  type Provider,
  type ProviderName,
} from '../../providers';
import { filesRead, skillHeader } from '../../skills/agent-run';
import { librarySkillCards } from '../../skills/catalog-store';
import { readFrontMatter } from '../../skills/identity';
import {
  parseTriggerAnswer,
  shownCards,
  triggerAssertionOf,
  triggerOutput,
  triggerRequest,
  type SkillCard,
} from '../../skills/trigger';
import { agentJudgeRequest, executionOf, readsOfCachedAnswer, runEvalAgent } from './agent-output';
import type { Db } from '../../store/db';
import { getCachedResponse, type CachedResponse, type StoredResult } from '../../store/evals';
import { storedScripts } from './stored-scripts';

export interface CaseRunDeps {
  db: Db;
  limiter: AdaptiveLimiter;
  model: { provider: Provider; name: string; providerName: string };
  judge: { provider: Provider; name: string; providerName: string };
  settings: EvalSettings;
  content: LibraryContent;
  contentHash: string;
  /** The library item's name (a skill's agent runs are recorded under it); absent: usage is recorded as "unnamed". */
  itemName?: string;
  /** Where answers go into the response cache (the chunk's writer stores them with its results). */
  cacheResponse(key: string, r: CachedResponse): void;
}

const MAX_ATTEMPTS = 5;

/**
 * One provider call under the shared limiter. A 429 shrinks the limit and waits the provider's
 * retry-after; other retryable failures back off; up to MAX_ATTEMPTS, then the error stands.
 */
async function callWithLimiter(
  limiter: AdaptiveLimiter,
  provider: Provider,
  model: string,
  req: { system?: string; prompt: string; maxTokens: number; json?: boolean },
): Promise<CompletionResult> {
  return withLimiter(limiter, () => provider.complete(model, req, { timeoutMs: 120_000 }));
}

/** Any provider call (a completion, or one agent turn) under the limiter, with the retries described above. */
async function withLimiter<R>(limiter: AdaptiveLimiter, send: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    await limiter.acquire();
    try {
      const result = await send();
      limiter.release('ok');
      return result;
    } catch (err) {
      const throttled = isProviderError(err) && err.kind === 'rate_limited';
      limiter.release(throttled ? 'throttled' : 'error');
      if (!isProviderError(err) || !err.retryable || attempt >= MAX_ATTEMPTS) throw err;
      const wait = err.retryAfterMs ?? Math.min(30_000, 250 * 2 ** attempt);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** A model answer as a case needs it: what it cost, how long it took (null: from the cache or a batch). */
export interface ModelOutput {
  text: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number | null;
  cached: boolean;
}

/** Output from the cache, or from the provider (then cached): an unchanged re-run sends nothing. */
async function cachedCall(
  deps: CaseRunDeps,
  who: CaseRunDeps['model'],
  key: string,
  req: { system?: string; prompt: string; maxTokens: number; json?: boolean },
  /** Skill files inside the prompt, named if it does not fit the model's context window. */
  files?: Readonly<Record<string, string>>,
): Promise<ModelOutput> {
  checkContextBudget({
    provider: who.providerName as ProviderName,
    model: who.name,
    what: who === deps.judge ? 'the rubric judge prompt' : 'the prompt under evaluation',
    text: `${req.system ?? ''}\n${req.prompt}`,
    maxOutputTokens: req.maxTokens,
    files,
  });
  if (!deps.settings.noCache) {
    const hit = await getCachedResponse(deps.db, key);
    if (hit) return { ...hit, costUsd: 0, latencyMs: null, cached: true };
  }
  const r = await callWithLimiter(deps.limiter, who.provider, who.name, req);
  deps.cacheResponse(key, { text: r.text, inputTokens: r.inputTokens, outputTokens: r.outputTokens });
  return {
    text: r.text,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costUsd: r.costUsd,
    latencyMs: Math.round(r.latencyMs),
    cached: false,
  };
}

/**
 * The request for one sample's output and its response-cache key: one definition for the per-call path and the
 * batch path, so a batch asks exactly what a single call would and both share the cache.
 */
export function outputCall(
  deps: Pick<CaseRunDeps, 'content' | 'contentHash' | 'model' | 'settings'>,
  c: EvalCase,
  sample: number,
): { cacheKey: string; request: CompletionRequest } {
  return {
    cacheKey: responseCacheKey({
      role: 'output',
      provider: deps.model.providerName,
      model: deps.model.name,
      contentHash: deps.contentHash,
      vars: c.vars,
      // Agent answers are cached apart from inline ones: the same version, run another way, answers anew.
      params: {
        maxTokens: deps.settings.maxOutputTokens,
        ...(executionOf(deps.settings, deps.content) === 'agent' ? { execution: 'agent' } : {}),
      },
      sample,
    }),
    request: { ...renderRequest(deps.content, c.vars), maxTokens: deps.settings.maxOutputTokens },
  };
}

/**
 * Evaluates one sample of one case: the output, every assertion, and the rubric judge where asked. `given` is an
 * output already bought (a batch answer): it is cached like a fresh answer and judged like one, with no call.
 */
export async function runCase(
  deps: CaseRunDeps,
  c: EvalCase,
  sample: number,
  given?: ModelOutput,
): Promise<StoredResult> {
  const assertions = c.assertions as Assertion[];
  const trigger = triggerAssertionOf(assertions);
  if (trigger) return runTriggerCase(deps, c, sample, trigger.distractors);
  const call = outputCall(deps, c, sample);
  const request = call.request;
  const params = { maxTokens: deps.settings.maxOutputTokens };
  let out: ModelOutput;
  // What the rubric judge is shown as the request: inline, the whole prompt; agent, SKILL.md and the files read.
  let judgedRequest = request.prompt;
  const skillFiles = deps.content.type === 'skill' ? deps.content.files : undefined;
  try {
    if (given) {
      deps.cacheResponse(call.cacheKey, given);
      out = given;
    } else if (skillFiles && executionOf(deps.settings, deps.content) === 'agent') {
      const answered = await agentAnswer(deps, c, call.cacheKey, skillFiles);
      out = answered.out;
      judgedRequest = agentJudgeRequest(skillFiles, c, answered.read, deps.itemName ?? 'skill');
    } else out = await cachedCall(deps, deps.model, call.cacheKey, call.request, skillFiles);
  } catch (err) {
    return errorResult(c.id, sample, `the model call failed: ${(err as Error).message}`);
  }

  const ctx = {
    output: out.text,
    outputTokens: out.outputTokens,
    latencyMs: out.latencyMs ?? undefined,
    vars: c.vars,
    expected: c.expected,
    scripts: storedScripts(deps.db),
  };
  const results: AssertionResult[] = [];
  let judgeScore: number | null = null;
  let costUsd = out.costUsd;
  let inputTokens = out.inputTokens;
  let outputTokens = out.outputTokens;
  let cached = out.cached;
  const all: Assertion[] =
    c.expected !== undefined ? [{ type: 'contains', value: c.expected }, ...assertions] : assertions;
  for (const a of all) {
    if (a.type !== 'rubric') {
      results.push(await runAssertion(a, ctx));
      continue;
    }
    try {
      const verdictReply = await cachedCall(
        deps,
        deps.judge,
        responseCacheKey({
          role: 'judge',
          provider: deps.judge.providerName,
          model: deps.judge.name,
          contentHash: deps.contentHash,
          vars: { ...c.vars, __rubric: a.rubric ?? '', __output: out.text },
          params,
          sample,
        }),
        {
          ...rubricRequest({ rubric: a.rubric, prompt: judgedRequest, expected: c.expected, output: out.text }),
          maxTokens: 512,
          json: true,
        },
        skillFiles,
      );
      costUsd += verdictReply.costUsd;
      inputTokens += verdictReply.inputTokens;
      outputTokens += verdictReply.outputTokens;
      cached &&= verdictReply.cached;
      const verdict = parseRubricVerdict(verdictReply.text);
      if (!verdict) return { ...errorResult(c.id, sample, 'the rubric judge gave no score'), output: out.text };
      judgeScore = verdict.score;
      results.push(rubricResult(a, verdict.score, verdict.reason));
    } catch (err) {
      return { ...errorResult(c.id, sample, `the rubric judge failed: ${(err as Error).message}`), output: out.text };
    }
  }
  const agg = aggregate(results);
  return {
    caseId: c.id,
    sample,
    status: agg.pass ? 'pass' : 'fail',
    score: agg.score,
    judgeScore,
    output: out.text.length > 20_000 ? `${out.text.slice(0, 20_000)}…` : out.text,
    latencyMs: out.latencyMs,
    inputTokens,
    outputTokens,
    costUsd,
    cached,
    assertions: results,
    error: null,
  };
}

/**
 * One run of a trigger case: the model under test sees the skill's name and description among distractors (the
 * case's, or the library's other skills) and the query, and says which skills it would load. The answer is the
 * sample's output, which the case's `trigger` assertion grades; the skill itself is not run.
 */
async function runTriggerCase(
  deps: CaseRunDeps,
  c: EvalCase,
  sample: number,
  given: SkillCard[] | undefined,
): Promise<StoredResult> {
  if (deps.content.type !== 'skill')
    return errorResult(c.id, sample, 'a trigger case evaluates a skill, and this is a prompt: tune a skill with it');
  const query = c.input ?? (typeof c.vars.input === 'string' ? c.vars.input : undefined);
  if (query === undefined) return errorResult(c.id, sample, 'a trigger case needs its query as "input"');
  const md = deps.content.files['SKILL.md'] ?? '';
  const name = deps.itemName ?? skillHeader('skill', md).name;
  const candidate = { name, description: readFrontMatter(md, name).description ?? skillHeader(name, md).description };
  const distractors = given ?? (await librarySkillCards(deps.db, name));
  const cards = shownCards(candidate, distractors, `${c.id}#${sample}`);
  const request = triggerRequest(cards, query);
  let out: ModelOutput;
  try {
    out = await cachedCall(
      deps,
      deps.model,
      responseCacheKey({
        role: 'output',
        provider: deps.model.providerName,
        model: deps.model.name,
        contentHash: deps.contentHash,
        // What the model is shown decides its answer: the cards in order (the candidate's among them) and the query.
        vars: { __trigger: JSON.stringify(cards), query },
        params: { maxTokens: request.maxTokens, trigger: true },
        sample,
      }),
      request,
    );
  } catch (err) {
    return errorResult(c.id, sample, `the model call failed: ${(err as Error).message}`);
  }
  const loaded = parseTriggerAnswer(out.text);
  if (!loaded)
    return {
      ...errorResult(c.id, sample, 'the trigger answer is not {"load": [skill names]}'),
      output: out.text.slice(0, 2000),
    };
  const output = triggerOutput(
    name,
    loaded,
    cards.map((k) => k.name),
  );
  const result = await runAssertion(c.assertions[0] as Assertion, {
    output,
    vars: c.vars,
    scripts: storedScripts(deps.db),
  });
  return {
    caseId: c.id,
    sample,
    status: result.pass ? 'pass' : 'fail',
    score: result.score,
    judgeScore: null,
    output,
    latencyMs: out.latencyMs,
    inputTokens: out.inputTokens,
    outputTokens: out.outputTokens,
    costUsd: out.costUsd,
    cached: out.cached,
    assertions: [result],
    error: null,
  };
}

/** One sample's answer by an agent run, or from the cache with the reads its run recorded. */
async function agentAnswer(
  deps: CaseRunDeps,
  c: EvalCase,
  cacheKey: string,
  files: Record<string, string>,
): Promise<{ out: ModelOutput; read: string[] }> {
  if (!deps.settings.noCache) {
    const hit = await getCachedResponse(deps.db, cacheKey);
    if (hit)
      return {
        out: { ...hit, costUsd: 0, latencyMs: null, cached: true },
        read: await readsOfCachedAnswer(deps.db, cacheKey),
      };
  }
  const run = await runEvalAgent({
    db: deps.db,
    provider: deps.model.provider,
    providerName: deps.model.providerName as ProviderName,
    model: deps.model.name,
    skill: { name: deps.itemName ?? 'unnamed', hash: deps.contentHash, files },
    c,
    cacheKey,
    maxOutputTokens: deps.settings.maxOutputTokens,
    send: (turn) => withLimiter(deps.limiter, turn),
  });
  deps.cacheResponse(cacheKey, { text: run.text, inputTokens: run.inputTokens, outputTokens: run.outputTokens });
  return {
    out: {
      text: run.text,
      inputTokens: run.inputTokens,
      outputTokens: run.outputTokens,
      costUsd: run.costUsd,
      latencyMs: Math.round(run.latencyMs),
      cached: false,
    },
    read: filesRead(run.calls),
  };
}

function errorResult(caseId: string, sample: number, error: string): StoredResult {
  return {
    caseId,
    sample,
    status: 'error',
    score: 0,
    judgeScore: null,
    output: '',
    latencyMs: null,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    cached: false,
    assertions: [],
    error: error.slice(0, 2000),
  };
}
