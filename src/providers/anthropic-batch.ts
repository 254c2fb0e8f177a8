import type Anthropic from '@anthropic-ai/sdk';
import { anthropicClient, anthropicMessageParams } from './anthropic';
import { classifyAnthropicError } from './anthropic-errors';
import { readAnthropicMessage } from './anthropic-response';
import type {
  BatchCallOptions,
  BatchItem,
  BatchItemOutcome,
  BatchProvider,
  BatchSearch,
  BatchSearchResult,
  BatchState,
} from './batch-types';
import { DEFAULT_TIMEOUT_MS } from './constants';
import { startDeadline } from './deadline';
import { isRecord } from './json-fields';
import { malformedResponse } from './call-failures';
import { estimateBatchCostUsd } from './pricing';
import { redact, registerSecret } from './redact';
import type { RemoteProviderOptions } from './types';

// The list walk: 100 a page, and no further back than a busy workspace's few hundred batches of the window.
const LIST_PAGE = 100;
const LIST_MAX = 2000;

/**
 * Anthropic Message Batches through the SDK: `messages.batches.create` with the same Messages API params the
 * per-call adapter sends, `retrieve` for `processing_status`, and `results` (the JSONL at `results_url`).
 */
export class AnthropicBatchProvider implements BatchProvider {
  readonly name = 'anthropic' as const;
  private client: Anthropic | undefined;

  constructor(private readonly options: RemoteProviderOptions) {
    registerSecret(options.apiKey);
  }

  submit(model: string, items: readonly BatchItem[], options: BatchCallOptions = {}): Promise<string> {
    return this.call(model, options, async (client, request) => {
      const batch: unknown = await client.messages.batches.create(
        { requests: items.map((i) => ({ custom_id: i.customId, params: anthropicMessageParams(model, i.request) })) },
        request,
      );
      if (!isRecord(batch) || typeof batch['id'] !== 'string') {
        throw malformedResponse('anthropic', model, 'the created batch has no id');
      }
      return batch['id'];
    });
  }

  state(batchId: string, options: BatchCallOptions = {}): Promise<BatchState> {
    return this.call(`batch ${batchId}`, options, async (client, request) => {
      const batch: unknown = await client.messages.batches.retrieve(batchId, {}, request);
      const status = isRecord(batch) ? batch['processing_status'] : undefined;
      if (typeof status !== 'string')
        throw malformedResponse('anthropic', batchId, 'the batch has no processing_status');
      return { ended: status === 'ended', state: status };
    });
  }

  results(batchId: string, model: string, options: BatchCallOptions = {}): Promise<BatchItemOutcome[]> {
    return this.call(model, options, async (client, request) => {
      const lines = await client.messages.batches.results(batchId, {}, request);
      const outcomes: BatchItemOutcome[] = [];
      for await (const line of lines) {
        const outcome = readResultLine(line, model);
        if (outcome) outcomes.push(outcome);
      }
      return outcomes;
    });
  }

  /**
   * The list shows no request ids, only `created_at` and `request_counts`: candidates are the unclaimed batches of
   * the chunk's size made in the window (newest first, so the walk stops at the first older one). An ended
   * candidate is read and taken only when its results carry exactly the chunk's custom ids; one still in progress
   * cannot be read, so it is taken unverified only when it is the sole candidate and nothing else could own it.
   */
  find(search: BatchSearch, options: BatchCallOptions = {}): Promise<BatchSearchResult> {
    return this.call(`batches since ${search.since}`, options, async (client, request) => {
      const since = Date.parse(search.since);
      const until = Date.parse(search.until);
      const ended: string[] = [];
      const running: string[] = [];
      let seen = 0;
      for await (const batch of client.messages.batches.list({ limit: LIST_PAGE }, request)) {
        const created = Date.parse(batch.created_at);
        if (created < since || ++seen > LIST_MAX) break;
        if (created > until || search.exclude.has(batch.id)) continue;
        const c = batch.request_counts;
        if (c.processing + c.succeeded + c.errored + c.canceled + c.expired !== search.customIds.length) continue;
        (batch.processing_status === 'ended' ? ended : running).push(batch.id);
      }
      const wanted = [...search.customIds].sort().join('\n');
      for (const id of ended) {
        const ids: string[] = [];
        for await (const line of await client.messages.batches.results(id, {}, request)) ids.push(line.custom_id);
        if (ids.sort().join('\n') === wanted) return { kind: 'found', batchId: id, verified: true };
      }
      if (running.length === 0) return { kind: 'none' };
      if (running.length === 1 && search.adoptUnreadable)
        return { kind: 'found', batchId: running[0]!, verified: false };
      return { kind: 'undecided', candidates: running.length };
    });
  }

  /** One SDK exchange under a deadline, its failures classified like a per-call failure (keys scrubbed). */
  private async call<T>(
    model: string,
    options: BatchCallOptions,
    fn: (client: Anthropic, request: { signal: AbortSignal; timeout: number; maxRetries: 0 }) => Promise<T>,
  ): Promise<T> {
    this.client ??= anthropicClient(this.options);
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const deadline = startDeadline(timeoutMs, options.signal);
    try {
      return await fn(this.client, { signal: deadline.signal, timeout: timeoutMs, maxRetries: 0 });
    } catch (err) {
      throw classifyAnthropicError(err, { model, deadline, timeoutMs, apiKey: this.options.apiKey });
    } finally {
      deadline.dispose();
    }
  }
}

/** One JSONL line, `{custom_id, result: {type, message | error}}`, read as defensively as a Messages API body. */
function readResultLine(line: unknown, model: string): BatchItemOutcome | undefined {
  if (!isRecord(line) || typeof line['custom_id'] !== 'string' || !isRecord(line['result'])) return undefined;
  const customId = line['custom_id'];
  const result = line['result'];
  const type = result['type'];
  if (type === 'succeeded') {
    const parsed = readAnthropicMessage(result['message']);
    if (parsed.kind === 'malformed')
      return { customId, kind: 'failed', reason: `malformed message: ${parsed.problem}` };
    if (parsed.kind === 'withheld') return { customId, kind: 'failed', reason: `withheld: ${parsed.reason}` };
    return {
      customId,
      kind: 'succeeded',
      result: {
        text: parsed.text,
        provider: 'anthropic',
        model,
        inputTokens: parsed.inputTokens,
        outputTokens: parsed.outputTokens,
        costUsd: estimateBatchCostUsd(model, parsed.inputTokens, parsed.outputTokens),
        latencyMs: 0,
        stopReason: parsed.stopReason,
      },
    };
  }
  if (type === 'errored') return { customId, kind: 'failed', reason: `errored: ${errorText(result['error'])}` };
  return { customId, kind: 'failed', reason: typeof type === 'string' ? type : 'no result type' };
}

/** `{type: 'error', error: {type, message}}` as one short line (scrubbed: it may end up in a stored result). */
function errorText(body: unknown): string {
  const inner = isRecord(body) && isRecord(body['error']) ? body['error'] : undefined;
  const type = typeof inner?.['type'] === 'string' ? inner['type'] : 'error';
  const message = typeof inner?.['message'] === 'string' ? inner['message'] : '';
  return redact(message ? `${type}: ${message}` : type).slice(0, 500);
}
