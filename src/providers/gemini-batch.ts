import { headerKeepingFetch } from './header-keeping-fetch';
import type { GoogleGenAI } from '@google/genai';
import type {
  BatchCallOptions,
  BatchItem,
  BatchItemOutcome,
  BatchProvider,
  BatchSearch,
  BatchSearchResult,
  BatchState,
} from './batch-types';
import { malformedResponse } from './call-failures';
import { DEFAULT_TIMEOUT_MS } from './constants';
import { startDeadline } from './deadline';
import { geminiClient, geminiRequest } from './gemini';
import { classifyGeminiError } from './gemini-errors';
import { readGeminiResponse } from './gemini-response';
import { isRecord } from './json-fields';
import { estimateBatchCostUsd } from './pricing';
import { redact, registerSecret } from './redact';
import type { RemoteProviderOptions } from './types';

// JobState values after which the batch changes no more (the SDK maps the wire's BATCH_STATE_* onto JOB_STATE_*).
const FINAL_STATES = new Set([
  'JOB_STATE_SUCCEEDED',
  'JOB_STATE_PARTIALLY_SUCCEEDED',
  'JOB_STATE_FAILED',
  'JOB_STATE_CANCELLED',
  'JOB_STATE_EXPIRED',
]);

const LIST_PAGE = 100;
const LIST_MAX = 2000;

/**
 * Gemini Batch Mode through @google/genai: `batches.create` with inlined requests (the same contents and
 * generation config the per-call adapter sends, the item's id in `metadata.key`), then `batches.get`, whose
 * ended job carries the answers in `dest.inlinedResponses`, in request order.
 */
export class GeminiBatchProvider implements BatchProvider {
  readonly name = 'gemini' as const;
  private client: GoogleGenAI | undefined;

  constructor(private readonly options: RemoteProviderOptions) {
    registerSecret(options.apiKey);
  }

  submit(
    model: string,
    items: readonly BatchItem[],
    options: BatchCallOptions & { displayName?: string } = {},
  ): Promise<string> {
    return this.call(model, options, async (client, request) => {
      const job = await client.batches.create({
        model,
        src: items.map((i) => ({ ...geminiRequest(i.request), metadata: { key: i.customId } })),
        config: { displayName: options.displayName ?? 'refinery batch', ...request },
      });
      if (typeof job.name !== 'string') throw malformedResponse('gemini', model, 'the created batch has no name');
      return job.name;
    });
  }

  state(batchId: string, options: BatchCallOptions = {}): Promise<BatchState> {
    return this.call(`batch ${batchId}`, options, async (client, request) => {
      const job = await client.batches.get({ name: batchId, config: request });
      const state = String(job.state ?? 'JOB_STATE_UNSPECIFIED');
      return { ended: FINAL_STATES.has(state), state };
    });
  }

  results(batchId: string, model: string, options: BatchCallOptions = {}): Promise<BatchItemOutcome[]> {
    return this.call(model, options, async (client, request) => {
      const job = await client.batches.get({ name: batchId, config: request });
      // A failed, cancelled or expired job may carry no responses at all: then every item failed.
      const responses: unknown[] = job.dest?.inlinedResponses ?? [];
      return responses.flatMap((r, index) => {
        const outcome = readInlinedResponse(r, index, model);
        return outcome ? [outcome] : [];
      });
    });
  }

  /**
   * The list (`GET batches`, Operations whose metadata is the batch) shows each batch's `displayName`, which carries
   * the chunk's marker: a match is certain, whatever the batch's state. The API states no order, so the walk reads
   * every page up to a bound.
   */
  find(search: BatchSearch, options: BatchCallOptions = {}): Promise<BatchSearchResult> {
    return this.call(`batches since ${search.since}`, options, async (client, request) => {
      const since = Date.parse(search.since);
      let seen = 0;
      let match: { name: string; created: number } | undefined;
      const pager = await client.batches.list({ config: { pageSize: LIST_PAGE, ...request } });
      for await (const job of pager) {
        if (++seen > LIST_MAX) break;
        if (typeof job.name !== 'string' || search.exclude.has(job.name)) continue;
        if (job.displayName !== search.displayName) continue;
        const created = Date.parse(job.createTime ?? '');
        if (Number.isFinite(created) && created < since) continue;
        // Only one can exist (a retry submits again only when none was found); the oldest if ever two.
        if (!match || created < match.created) match = { name: job.name, created };
      }
      return match ? { kind: 'found', batchId: match.name, verified: true } : { kind: 'none' };
    });
  }

  /** One SDK exchange under a deadline, its failures classified like a per-call failure (keys scrubbed). */
  private async call<T>(
    model: string,
    options: BatchCallOptions,
    fn: (
      client: GoogleGenAI,
      request: { abortSignal: AbortSignal; httpOptions: { fetch: typeof fetch } },
    ) => Promise<T>,
  ): Promise<T> {
    this.client ??= geminiClient(this.options);
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const deadline = startDeadline(timeoutMs, options.signal);
    const http = headerKeepingFetch();
    try {
      return await fn(this.client, { abortSignal: deadline.signal, httpOptions: { fetch: http.fetch } });
    } catch (err) {
      throw classifyGeminiError(err, {
        model,
        deadline,
        timeoutMs,
        apiKey: this.options.apiKey,
        headers: http.lastHeaders(),
      });
    } finally {
      deadline.dispose();
    }
  }
}

/**
 * One `InlinedResponse` ({response} or {error}, with the request's metadata). Responses come in request order, so
 * the index finds the item when the metadata did not come back.
 */
function readInlinedResponse(r: unknown, index: number, model: string): BatchItemOutcome | undefined {
  if (!isRecord(r)) return undefined;
  const metadata = r['metadata'];
  const key = isRecord(metadata) && typeof metadata['key'] === 'string' ? metadata['key'] : undefined;
  const customId = key ?? '';
  if (isRecord(r['error'])) {
    const message = typeof r['error']['message'] === 'string' ? r['error']['message'] : 'no message';
    return { customId, index, kind: 'failed', reason: `error: ${redact(message).slice(0, 500)}` };
  }
  const parsed = readGeminiResponse(r['response']);
  if (parsed.kind === 'malformed')
    return { customId, index, kind: 'failed', reason: `malformed response: ${parsed.problem}` };
  if (parsed.kind === 'withheld') return { customId, index, kind: 'failed', reason: `withheld: ${parsed.reason}` };
  return {
    customId,
    index,
    kind: 'succeeded',
    result: {
      text: parsed.text,
      provider: 'gemini',
      model,
      inputTokens: parsed.inputTokens,
      outputTokens: parsed.outputTokens,
      costUsd: estimateBatchCostUsd(model, parsed.inputTokens, parsed.outputTokens),
      latencyMs: 0,
      stopReason: parsed.stopReason,
    },
  };
}
