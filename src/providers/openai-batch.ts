import { toFile, type OpenAI } from 'openai';
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
import { isRecord } from './json-fields';
import { openaiChatParams, openaiClient } from './openai';
import { classifyOpenAIError } from './openai-errors';
import { readChatCompletion } from './openai-response';
import { estimateBatchCostUsd } from './pricing';
import { redact, registerSecret } from './redact';
import type { RemoteProviderOptions } from './types';

const ENDPOINT = '/v1/chat/completions';
// Statuses after which the batch changes no more; the others are validating, in_progress, finalizing, cancelling.
const FINAL_STATES = new Set(['completed', 'failed', 'expired', 'cancelled']);
// The batch's metadata key that carries the display name, so a retry can recognise the batch in the list.
const NAME_KEY = 'refinery';
const LIST_PAGE = 100;
const LIST_MAX = 2000;

/**
 * The OpenAI Batch API through the SDK: the chunk's requests uploaded as one JSONL file (`files.create`, purpose
 * `batch`; each line the same Chat Completions params the per-call adapter sends), `batches.create` over it, then
 * `batches.retrieve` for the status and `files.content` of its output and error files for the answers.
 */
export class OpenAIBatchProvider implements BatchProvider {
  readonly name = 'openai' as const;
  private client: OpenAI | undefined;

  constructor(private readonly options: RemoteProviderOptions) {
    registerSecret(options.apiKey);
  }

  submit(
    model: string,
    items: readonly BatchItem[],
    options: BatchCallOptions & { displayName?: string } = {},
  ): Promise<string> {
    return this.call(model, options, async (client, request) => {
      const jsonl = items
        .map((i) =>
          JSON.stringify({
            custom_id: i.customId,
            method: 'POST',
            url: ENDPOINT,
            body: openaiChatParams(model, i.request, this.options.baseUrl),
          }),
        )
        .join('\n');
      const file = await client.files.create(
        { file: await toFile(Buffer.from(`${jsonl}\n`), 'refinery-batch.jsonl'), purpose: 'batch' },
        request,
      );
      const batch: unknown = await client.batches.create(
        {
          input_file_id: file.id,
          endpoint: ENDPOINT,
          completion_window: '24h',
          metadata: { [NAME_KEY]: options.displayName ?? 'refinery batch' },
        },
        request,
      );
      if (!isRecord(batch) || typeof batch['id'] !== 'string') {
        throw malformedResponse('openai', model, 'the created batch has no id');
      }
      return batch['id'];
    });
  }

  state(batchId: string, options: BatchCallOptions = {}): Promise<BatchState> {
    return this.call(`batch ${batchId}`, options, async (client, request) => {
      const batch: unknown = await client.batches.retrieve(batchId, request);
      const status = isRecord(batch) ? batch['status'] : undefined;
      if (typeof status !== 'string') throw malformedResponse('openai', batchId, 'the batch has no status');
      return { ended: FINAL_STATES.has(status), state: status };
    });
  }

  /** Successes come in the output file, failures (expired and cancelled requests too) in the error file. */
  results(batchId: string, model: string, options: BatchCallOptions = {}): Promise<BatchItemOutcome[]> {
    return this.call(model, options, async (client, request) => {
      const batch = await client.batches.retrieve(batchId, request);
      const outcomes: BatchItemOutcome[] = [];
      for (const fileId of [batch.output_file_id, batch.error_file_id]) {
        if (!fileId) continue;
        const response = await client.files.content(fileId, request);
        for (const raw of (await response.text()).split('\n')) {
          if (raw.trim() === '') continue;
          const outcome = readResultLine(parseLine(raw), model);
          if (outcome) outcomes.push(outcome);
        }
      }
      return outcomes;
    });
  }

  /**
   * The list (newest first) shows each batch's metadata, which carries the chunk's display name and so its marker:
   * a match is certain whatever the batch's state. `created_at` is in seconds, hence the second of slack.
   */
  find(search: BatchSearch, options: BatchCallOptions = {}): Promise<BatchSearchResult> {
    return this.call(`batches since ${search.since}`, options, async (client, request) => {
      const since = Date.parse(search.since) - 1000;
      let seen = 0;
      let match: { id: string; created: number } | undefined;
      for await (const batch of client.batches.list({ limit: LIST_PAGE }, request)) {
        const created = batch.created_at * 1000;
        if (created < since || ++seen > LIST_MAX) break;
        if (search.exclude.has(batch.id) || batch.metadata?.[NAME_KEY] !== search.displayName) continue;
        // Only one can exist (a retry submits again only when none was found); the oldest if ever two.
        if (!match || created < match.created) match = { id: batch.id, created };
      }
      return match ? { kind: 'found', batchId: match.id, verified: true } : { kind: 'none' };
    });
  }

  /** One SDK exchange under a deadline, its failures classified like a per-call failure (keys scrubbed). */
  private async call<T>(
    model: string,
    options: BatchCallOptions,
    fn: (client: OpenAI, request: { signal: AbortSignal; timeout: number; maxRetries: 0 }) => Promise<T>,
  ): Promise<T> {
    this.client ??= openaiClient(this.options);
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const deadline = startDeadline(timeoutMs, options.signal);
    try {
      return await fn(this.client, { signal: deadline.signal, timeout: timeoutMs, maxRetries: 0 });
    } catch (err) {
      throw classifyOpenAIError(err, { model, deadline, timeoutMs, apiKey: this.options.apiKey });
    } finally {
      deadline.dispose();
    }
  }
}

function parseLine(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * One output or error line, `{custom_id, response: {status_code, body}, error}`: `error` set when the request never
 * ran (expired, cancelled), a non-200 `status_code` when it failed as a single call would have.
 */
function readResultLine(line: unknown, model: string): BatchItemOutcome | undefined {
  if (!isRecord(line) || typeof line['custom_id'] !== 'string') return undefined;
  const customId = line['custom_id'];
  if (isRecord(line['error'])) return { customId, kind: 'failed', reason: errorText(line['error']) };
  const response = line['response'];
  if (!isRecord(response)) return { customId, kind: 'failed', reason: 'no response' };
  const status = response['status_code'];
  if (status !== 200) {
    const body = response['body'];
    const error = isRecord(body) && isRecord(body['error']) ? body['error'] : {};
    return { customId, kind: 'failed', reason: `HTTP ${String(status)}: ${errorText(error)}` };
  }
  const parsed = readChatCompletion(response['body']);
  if (parsed.kind === 'malformed') return { customId, kind: 'failed', reason: `malformed response: ${parsed.problem}` };
  if (parsed.kind === 'withheld') return { customId, kind: 'failed', reason: `withheld: ${parsed.reason}` };
  return {
    customId,
    kind: 'succeeded',
    result: {
      text: parsed.text,
      provider: 'openai',
      model,
      inputTokens: parsed.inputTokens,
      outputTokens: parsed.outputTokens,
      costUsd: estimateBatchCostUsd(model, parsed.inputTokens, parsed.outputTokens),
      latencyMs: 0,
      stopReason: parsed.stopReason,
    },
  };
}

/** `{code, message}` as one short line (scrubbed: it may end up in a stored result). */
function errorText(error: Record<string, unknown>): string {
  const code =
    typeof error['code'] === 'string' ? error['code'] : typeof error['type'] === 'string' ? error['type'] : 'error';
  const message = typeof error['message'] === 'string' ? error['message'] : '';
  return redact(message ? `${code}: ${message}` : code).slice(0, 500);
}
