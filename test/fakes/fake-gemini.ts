import type { BatchDialect, FakeBatchOutcome } from './fake-batch';
import { startFakeServer, type FakeServer, type FakeServerOptions, type WireDialect } from './fake-server-core';
import { arrayField, isRecord, stringField } from './json-fields';

// @google/genai 2.x builds `${baseUrl}/${apiVersion}/models/${model}:generateContent`, apiVersion defaulting to v1beta.
const GENERATE_CONTENT = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):generateContent$/;
// ...and `models/${model}:batchGenerateContent` to create a batch, `batches/${id}` to read one back.
const BATCH_CREATE = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):batchGenerateContent$/;
const BATCH_GET = /^\/(v1|v1beta|v1alpha)\/batches\/([^/:]+)$/;
const BATCH_LIST = /^\/(v1|v1beta|v1alpha)\/batches$/;
const BATCH_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch';
const BATCH_OUTPUT_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

// google.rpc.Code for an item's error: the per-item `error` is a google.rpc.Status, not an HTTP error body.
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 429: 8, 499: 1, 503: 14, 504: 4 };

/**
 * Batch Mode: `POST models/{model}:batchGenerateContent` ({batch: {displayName, inputConfig: {requests: {requests:
 * [{request, metadata}]}}}}), `GET batches/{id}` and the list `GET batches`, all answering a long-running Operation whose `metadata` is the
 * GenerateContentBatch; once ended its `output.inlinedResponses.inlinedResponses` holds the answers in request order.
 */
const geminiBatchDialect: BatchDialect = {
  route(method, path, body) {
    const create = method === 'POST' ? BATCH_CREATE.exec(path) : null;
    if (create) {
      const batch = isRecord(body) ? body['batch'] : undefined;
      const inputConfig = isRecord(batch) ? batch['inputConfig'] : undefined;
      const wrapper = isRecord(inputConfig) ? inputConfig['requests'] : undefined;
      const items = arrayField(wrapper, 'requests').map((entry, index) => {
        const request = isRecord(entry) ? entry['request'] : undefined;
        const metadata = isRecord(entry) ? entry['metadata'] : undefined;
        return {
          customId: stringField(metadata, 'key') ?? String(index),
          model: stringField(request, 'model')?.replace(/^models\//, ''),
          body: request,
        };
      });
      return {
        kind: 'create',
        model: decodeURIComponent(create[2] ?? ''),
        displayName: stringField(batch, 'displayName'),
        items,
      };
    }
    if (method === 'GET' && BATCH_LIST.test(path)) return { kind: 'list' };
    const get = method === 'GET' ? BATCH_GET.exec(path) : null;
    return get ? { kind: 'status', id: `batches/${decodeURIComponent(get[2] ?? '')}` } : undefined;
  },
  newId(sequence) {
    return `batches/fake-${sequence}`;
  },
  // `GET batches?pageSize&pageToken` (ListOperations): {operations, nextPageToken}, each the Operation `GET
  // batches/{id}` answers, its metadata carrying the displayName. The token is opaque; here an offset.
  listBody(batches, query, ended, baseUrl) {
    const size = Math.min(Math.max(Number(query.get('pageSize') ?? 10) || 10, 1), 1000);
    const from = Number(query.get('pageToken') ?? 0) || 0;
    const page = batches.slice(from, from + size);
    return {
      operations: page.map((b) => this.statusBody(b, ended(b), baseUrl)),
      ...(from + size < batches.length ? { nextPageToken: String(from + size) } : {}),
    };
  },
  statusBody(batch, ended) {
    const failed = batch.items.filter((i) => i.outcome.kind !== 'succeeded').length;
    const output = {
      inlinedResponses: {
        inlinedResponses: batch.items.map((item) => inlinedResponse(item.customId, item.model, item.outcome)),
      },
    };
    const metadata = {
      '@type': BATCH_TYPE,
      name: batch.id,
      model: `models/${batch.model ?? 'unknown-model'}`,
      displayName: batch.displayName ?? '',
      createTime: batch.createdAt,
      updateTime: ended ? batch.endedAt : batch.createdAt,
      ...(ended ? { endTime: batch.endedAt } : {}),
      batchStats: {
        requestCount: String(batch.items.length),
        ...(ended
          ? { successfulRequestCount: String(batch.items.length - failed), failedRequestCount: String(failed) }
          : { pendingRequestCount: String(batch.items.length) }),
      },
      state: ended ? 'BATCH_STATE_SUCCEEDED' : batch.polls === 0 ? 'BATCH_STATE_PENDING' : 'BATCH_STATE_RUNNING',
      ...(ended ? { output } : {}),
    };
    return {
      name: batch.id,
      metadata,
      ...(ended ? { done: true, response: { '@type': BATCH_OUTPUT_TYPE, ...output } } : {}),
    };
  },
};

/** Gemini API `models/{model}:generateContent` as @google/genai sees it on the wire. */
export const geminiDialect: WireDialect = {
  name: 'gemini',
  route(method, path) {
    const match = method === 'POST' ? GENERATE_CONTENT.exec(path) : null;
    if (!match) return undefined;
    return { model: decodeURIComponent(match[2] ?? '') };
  },
  requestText(body) {
    const system = isRecord(body) ? body['systemInstruction'] : undefined;
    const texts = partsText(system);
    for (const content of arrayField(body, 'contents')) texts.push(...partsText(content));
    return texts.join('\n');
  },
  successBody({ model, text, inputTokens, outputTokens, id, toolCalls }) {
    const calls = (toolCalls ?? []).map((c) => ({
      functionCall: { ...(c.id ? { id: c.id } : {}), name: c.name, args: c.input },
      ...(c.signature ? { thoughtSignature: c.signature } : {}),
    }));
    const parts = [...(text || calls.length === 0 ? [{ text }] : []), ...calls];
    return {
      candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: inputTokens,
        candidatesTokenCount: outputTokens,
        totalTokenCount: inputTokens + outputTokens,
      },
      modelVersion: model,
      responseId: id,
    };
  },
  errorBody({ status, type, message }) {
    return { error: { code: status, message, status: type } };
  },
  defaultErrorType(status) {
    return STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
  },
  batch: geminiBatchDialect,
};

/** One `InlinedResponse`: the response a single call would have returned, or a google.rpc.Status error. */
function inlinedResponse(key: string, model: string, outcome: FakeBatchOutcome): unknown {
  const metadata = { key };
  switch (outcome.kind) {
    case 'succeeded':
      return { response: geminiDialect.successBody({ model, ...outcome }), metadata };
    case 'errored':
      return { error: { code: RPC_CODES[outcome.status] ?? 13, message: outcome.message }, metadata };
    case 'expired':
      return { error: { code: 4, message: 'the request expired before it was processed' }, metadata };
    case 'canceled':
      return { error: { code: 1, message: 'the batch was cancelled' }, metadata };
  }
}

export function startFakeGemini(options: FakeServerOptions = {}): Promise<FakeServer> {
  return startFakeServer(geminiDialect, options);
}

/** A Gemini `Content` (or a bare string system instruction) reduced to its text parts. */
function partsText(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  return arrayField(content, 'parts').flatMap((part) => {
    // A functionResponse carries what a tool returned: prompt text the model reads.
    const response =
      isRecord(part) && isRecord(part['functionResponse']) ? part['functionResponse']['response'] : undefined;
    if (isRecord(response)) return [stringField(response, 'output') ?? stringField(response, 'error') ?? ''];
    const text = stringField(part, 'text');
    return text === undefined ? [] : [text];
  });
}
