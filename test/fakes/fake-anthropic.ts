import type { BatchDialect, FakeBatch, FakeBatchOutcome } from './fake-batch';
import { startFakeServer, type FakeServer, type FakeServerOptions, type WireDialect } from './fake-server-core';
import { arrayField, isRecord, stringField } from './json-fields';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const BATCHES = '/v1/messages/batches';
const BATCH_PATH = /^\/v1\/messages\/batches\/([^/]+)(\/results)?$/;
// Anthropic batches end at the latest 24 hours after creation (then unfinished items expire).
const BATCH_LIFETIME_MS = 24 * 3600 * 1000;

/**
 * Message Batches: `POST /v1/messages/batches` ({requests: [{custom_id, params}]}), `GET .../{id}` (MessageBatch, its
 * `results_url` set once ended), `GET .../{id}/results` (JSONL of {custom_id, result}) and `GET /v1/messages/batches`
 * (the list), as @anthropic-ai/sdk uses them.
 */
const anthropicBatchDialect: BatchDialect = {
  route(method, path, body) {
    if (method === 'POST' && path === BATCHES) {
      const items = arrayField(body, 'requests').map((request, index) => {
        const params = isRecord(request) ? request['params'] : undefined;
        return {
          customId: stringField(request, 'custom_id') ?? `missing-${index}`,
          model: stringField(params, 'model'),
          body: params,
        };
      });
      return { kind: 'create', model: items[0]?.model, items };
    }
    if (method === 'GET' && path === BATCHES) return { kind: 'list' };
    const match = method === 'GET' ? BATCH_PATH.exec(path) : null;
    if (!match) return undefined;
    const id = decodeURIComponent(match[1] ?? '');
    return match[2] ? { kind: 'results', id } : { kind: 'status', id };
  },
  newId(sequence) {
    return `msgbatch_fake_${sequence}`;
  },
  statusBody(batch, ended, baseUrl) {
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    for (const item of batch.items) {
      if (ended) counts[item.outcome.kind]++;
      else counts.processing++;
    }
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : 'in_progress',
      request_counts: counts,
      created_at: batch.createdAt,
      expires_at: new Date(Date.parse(batch.createdAt) + BATCH_LIFETIME_MS).toISOString(),
      ended_at: ended ? (batch.endedAt ?? null) : null,
      archived_at: null,
      cancel_initiated_at: null,
      results_url: ended ? `${baseUrl}${BATCHES}/${batch.id}/results` : null,
    };
  },
  // `GET /v1/messages/batches?limit&after_id&before_id`: newest first, `limit` 1-1000 (default 20); a page is
  // {data, has_more, first_id, last_id}, and the SDK pages on with `after_id` = last_id. No request ids in it.
  listBody(batches, query, ended, baseUrl) {
    const limit = Math.min(Math.max(Number(query.get('limit') ?? 20) || 20, 1), 1000);
    const after = query.get('after_id');
    const before = query.get('before_id');
    let from = 0;
    let to = batches.length;
    if (after) from = batches.findIndex((b) => b.id === after) + 1;
    if (before)
      to = Math.max(
        batches.findIndex((b) => b.id === before),
        0,
      );
    const page = before
      ? batches.slice(Math.max(to - limit, from), to)
      : batches.slice(from, Math.min(from + limit, to));
    const hasMore = before ? to - limit > from : from + limit < to;
    return {
      data: page.map((b) => this.statusBody(b, ended(b), baseUrl)),
      has_more: hasMore,
      first_id: page[0]?.id ?? null,
      last_id: page[page.length - 1]?.id ?? null,
    };
  },
  resultLines(batch: FakeBatch) {
    return batch.items.map((item) => ({ custom_id: item.customId, result: itemResult(item.model, item.outcome) }));
  },
};

/** Anthropic Messages API (`POST /v1/messages`) as the official SDK sees it on the wire. */
export const anthropicDialect: WireDialect = {
  name: 'anthropic',
  route(method, path, body) {
    if (method !== 'POST' || path !== '/v1/messages') return undefined;
    return { model: stringField(body, 'model') };
  },
  requestText(body) {
    if (!isRecord(body)) return '';
    const parts = [...contentText(body['system'])];
    for (const message of arrayField(body, 'messages')) {
      if (isRecord(message)) parts.push(...contentText(message['content']));
    }
    return parts.join('\n');
  },
  successBody({ model, text, inputTokens, outputTokens, id, toolCalls }) {
    const calls = (toolCalls ?? []).map((c, i) => ({
      type: 'tool_use',
      id: c.id ?? `toolu_${id}_${i + 1}`,
      name: c.name,
      input: c.input,
    }));
    return {
      id: `msg_${id}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [...(text || calls.length === 0 ? [{ type: 'text', text }] : []), ...calls],
      stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: outputTokens },
    };
  },
  errorBody({ type, message, id }) {
    return { type: 'error', error: { type, message }, request_id: `req_${id}` };
  },
  defaultErrorType(status) {
    return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  },
  batch: anthropicBatchDialect,
};

/** One line's `result`: the message a single call would have returned, or the error body it would have sent. */
function itemResult(model: string, outcome: FakeBatchOutcome): unknown {
  switch (outcome.kind) {
    case 'succeeded':
      return { type: 'succeeded', message: anthropicDialect.successBody({ model, ...outcome }) };
    case 'errored':
      return { type: 'errored', error: anthropicDialect.errorBody(outcome) };
    default:
      return { type: outcome.kind };
  }
}

export function startFakeAnthropic(options: FakeServerOptions = {}): Promise<FakeServer> {
  return startFakeServer(anthropicDialect, options);
}

/** Anthropic content is either a plain string or a list of blocks, of which only text blocks carry prompt text. */
function contentText(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((block: unknown) => {
    // A tool_result carries what a tool returned: prompt text the model reads, like a text block.
    if (isRecord(block) && block['type'] === 'tool_result') return contentText(block['content']);
    const text = stringField(block, 'text');
    return text === undefined ? [] : [text];
  });
}
