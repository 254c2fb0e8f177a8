import type { BatchDialect, BatchItemRequest, FakeBatch, FakeBatchOutcome } from './fake-batch';
import { startFakeServer, type FakeServer, type FakeServerOptions, type WireDialect } from './fake-server-core';
import { arrayField, isRecord, stringField } from './json-fields';

// OpenAI error bodies: `type` says the class, `code` the specific cause (what the SDK exposes as APIError.code).
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'invalid_request_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  429: 'requests',
  500: 'server_error',
  503: 'server_error',
};
const ERROR_CODES: Record<number, string> = {
  401: 'invalid_api_key',
  403: 'unsupported_country_region_territory',
  404: 'model_not_found',
  429: 'rate_limit_exceeded',
};
// Error types that are their own code (a 429 whose type is insufficient_quota has that code too).
const SELF_CODED_TYPES = new Set(['insufficient_quota']);

const CHAT = '/v1/chat/completions';
const FILES = '/v1/files';
const FILE_CONTENT = /^\/v1\/files\/file-(out|err)-(.+)\/content$/;
const BATCHES = '/v1/batches';
const BATCH_PATH = /^\/v1\/batches\/([^/]+)$/;
const BATCH_LIFETIME_S = 24 * 3600;

/**
 * The Batch API: `POST /v1/files` (multipart, purpose `batch`: JSONL of {custom_id, method, url, body}), `POST
 * /v1/batches` ({input_file_id, endpoint, completion_window, metadata}), `GET /v1/batches/{id}`, `GET /v1/batches`
 * (cursor list, newest first) and `GET /v1/files/{id}/content` for the output file (successes) and the error file
 * (failures, expired and cancelled requests). Uploaded files live as long as the server.
 */
function openaiBatchDialect(): BatchDialect {
  const files = new Map<string, BatchItemRequest[]>();
  let fileSequence = 0;
  const fileError = (status: number, message: string) => ({
    kind: 'answer' as const,
    status,
    body: { error: { message, type: 'invalid_request_error', param: null, code: null } },
  });
  return {
    route(method, path, body) {
      if (method === 'POST' && path === FILES) {
        // The SDK sends multipart/form-data; the JSONL file is the only part whose lines are JSON objects.
        const raw = typeof body === 'string' ? body : '';
        if (!/name="purpose"\r?\n\r?\nbatch\r?\n/.test(raw)) return fileError(400, "purpose must be 'batch' here");
        const lines = raw.split(/\r?\n/).flatMap((line) => {
          try {
            const parsed: unknown = JSON.parse(line);
            return isRecord(parsed) && typeof parsed['custom_id'] === 'string' ? [parsed] : [];
          } catch {
            return [];
          }
        });
        if (lines.some((l) => l['method'] !== 'POST' || l['url'] !== CHAT)) {
          return fileError(400, `every line must be a POST to ${CHAT}`);
        }
        const id = `file-fake-${++fileSequence}`;
        files.set(
          id,
          lines.map((l) => ({
            customId: l['custom_id'] as string,
            model: stringField(l['body'], 'model'),
            body: l['body'],
          })),
        );
        const created = Math.floor(Date.now() / 1000);
        const bytes = Buffer.byteLength(raw);
        return {
          kind: 'answer',
          status: 200,
          body: { id, object: 'file', bytes, created_at: created, filename: 'batch.jsonl', purpose: 'batch' },
        };
      }
      if (method === 'POST' && path === BATCHES) {
        const fileId = stringField(body, 'input_file_id');
        const items = fileId === undefined ? undefined : files.get(fileId);
        if (!items) return fileError(404, `No such File object: ${fileId ?? '(none)'}`);
        if (stringField(body, 'endpoint') !== CHAT) return fileError(400, `endpoint must be ${CHAT} for this fake`);
        if (stringField(body, 'completion_window') !== '24h') return fileError(400, "completion_window must be '24h'");
        if (new Set(items.map((i) => i.model)).size > 1)
          return fileError(400, 'all requests of a batch must use one model');
        const metadata = isRecord(body) && isRecord(body['metadata']) ? body['metadata'] : undefined;
        // The display name slot carries the whole metadata, which statusBody shows again.
        return { kind: 'create', model: items[0]?.model, displayName: metadata && JSON.stringify(metadata), items };
      }
      if (method === 'GET' && path === BATCHES) return { kind: 'list' };
      const content = method === 'GET' ? FILE_CONTENT.exec(path) : null;
      if (content) return { kind: 'results', id: content[2] ?? '', part: content[1] === 'out' ? 'output' : 'error' };
      const batch = method === 'GET' ? BATCH_PATH.exec(path) : null;
      return batch ? { kind: 'status', id: decodeURIComponent(batch[1] ?? '') } : undefined;
    },
    newId(sequence) {
      return `batch_fake${sequence}`;
    },
    statusBody(batch, ended) {
      const created = Math.floor(Date.parse(batch.createdAt) / 1000);
      const failed = batch.items.filter((i) => i.outcome.kind !== 'succeeded').length;
      const succeeded = batch.items.length - failed;
      const endedAt = ended ? Math.floor(Date.parse(batch.endedAt ?? batch.createdAt) / 1000) : null;
      return {
        id: batch.id,
        object: 'batch',
        endpoint: CHAT,
        errors: null,
        input_file_id: 'file-fake-input',
        completion_window: '24h',
        status: ended ? 'completed' : batch.polls === 0 ? 'validating' : 'in_progress',
        output_file_id: ended && succeeded > 0 ? `file-out-${batch.id}` : null,
        error_file_id: ended && failed > 0 ? `file-err-${batch.id}` : null,
        created_at: created,
        in_progress_at: batch.polls > 0 || ended ? created : null,
        expires_at: created + BATCH_LIFETIME_S,
        finalizing_at: endedAt,
        completed_at: endedAt,
        failed_at: null,
        expired_at: null,
        cancelling_at: null,
        cancelled_at: null,
        request_counts: { total: batch.items.length, completed: ended ? succeeded : 0, failed: ended ? failed : 0 },
        metadata: batch.displayName === undefined ? null : (JSON.parse(batch.displayName) as unknown),
      };
    },
    // `GET /v1/batches?limit&after`: newest first, `limit` 1-100 (default 20); a page is {object, data, first_id,
    // last_id, has_more}, and the SDK pages on with `after` = the last id.
    listBody(batches, query, ended, baseUrl) {
      const limit = Math.min(Math.max(Number(query.get('limit') ?? 20) || 20, 1), 100);
      const after = query.get('after');
      const from = after ? batches.findIndex((b) => b.id === after) + 1 : 0;
      const page = batches.slice(from, from + limit);
      return {
        object: 'list',
        data: page.map((b) => this.statusBody(b, ended(b), baseUrl)),
        first_id: page[0]?.id ?? null,
        last_id: page[page.length - 1]?.id ?? null,
        has_more: from + limit < batches.length,
      };
    },
    resultLines(batch: FakeBatch, part?: string) {
      const wanted = (o: FakeBatchOutcome) => (part === 'output') === (o.kind === 'succeeded');
      return batch.items
        .filter((item) => wanted(item.outcome))
        .map((item, index) => ({
          id: `batch_req_${batch.id}_${index}`,
          custom_id: item.customId,
          ...lineResult(item.model, item.outcome),
        }));
    },
  };
}

/** A line's `response` (what the single call would have answered, with its status) or `error` (never ran). */
function lineResult(model: string, outcome: FakeBatchOutcome): { response: unknown; error: unknown } {
  switch (outcome.kind) {
    case 'succeeded':
      return {
        response: { status_code: 200, request_id: `req_${outcome.id}`, body: chatCompletion({ model, ...outcome }) },
        error: null,
      };
    case 'errored':
      return {
        response: { status_code: outcome.status, request_id: `req_${outcome.id}`, body: errorBody(outcome) },
        error: null,
      };
    case 'expired':
      return {
        response: null,
        error: {
          code: 'batch_expired',
          message: 'This request could not be executed before the completion window expired.',
        },
      };
    case 'canceled':
      return { response: null, error: { code: 'batch_cancelled', message: 'This request was cancelled.' } };
  }
}

type SuccessArgs = Parameters<WireDialect['successBody']>[0];

function chatCompletion({ model, text, inputTokens, outputTokens, id, toolCalls }: SuccessArgs): unknown {
  const calls = toolCalls?.map((call, index) => ({
    id: call.id ?? `call_${id}_${index}`,
    type: 'function',
    function: {
      name: call.name,
      arguments:
        call.arguments === undefined
          ? JSON.stringify(call.input)
          : typeof call.arguments === 'string'
            ? call.arguments
            : JSON.stringify(call.arguments),
    },
  }));
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: calls && text === '' ? null : text,
          refusal: null,
          annotations: [],
          ...(calls ? { tool_calls: calls } : {}),
        },
        logprobs: null,
        finish_reason: calls ? 'tool_calls' : 'stop',
      },
    ],
    usage: {
      prompt_tokens: inputTokens,
      completion_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

function errorBody({ status, type, message }: { status: number; type: string; message: string }): unknown {
  const code = SELF_CODED_TYPES.has(type) ? type : (ERROR_CODES[status] ?? null);
  return { error: { message, type, param: null, code } };
}

/**
 * Why the real API would refuse this Chat Completions body with a 400, or undefined. Checks what the provider and a
 * tool-using agent could get wrong: the JSON modes' preconditions and the tool-call bookkeeping of a conversation.
 */
function invalidChatRequest(body: unknown): string | undefined {
  if (!isRecord(body)) return 'We could not parse the JSON body of your request.';
  if (typeof body['model'] !== 'string') return 'you must provide a model parameter';
  const messages = arrayField(body, 'messages');
  if (messages.length === 0) return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
  if (body['max_tokens'] !== undefined && body['max_completion_tokens'] !== undefined) {
    return "Invalid request: 'max_tokens' and 'max_completion_tokens' cannot both be set.";
  }
  const format = body['response_format'];
  if (isRecord(format)) {
    if (format['type'] === 'json_object' && !messagesText(messages).some((t) => /json/i.test(t))) {
      return "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";
    }
    if (format['type'] === 'json_schema') {
      const schema = format['json_schema'];
      if (!isRecord(schema)) return "Missing required parameter: 'response_format.json_schema'.";
      if (typeof schema['name'] !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(schema['name'])) {
        return "Invalid 'response_format.json_schema.name': must match ^[a-zA-Z0-9_-]{1,64}$.";
      }
      if (!isRecord(schema['schema'])) return "Missing required parameter: 'response_format.json_schema.schema'.";
    }
  }
  for (const tool of arrayField(body, 'tools')) {
    if (!isRecord(tool) || tool['type'] !== 'function' || stringField(tool['function'], 'name') === undefined) {
      return "Invalid 'tools': each tool must be {type: 'function', function: {name, parameters}}.";
    }
  }
  // A tool result must answer a call the assistant made earlier in the conversation.
  const calledIds = new Set<string>();
  for (const message of messages) {
    if (!isRecord(message)) return "Invalid 'messages': each message must be an object.";
    for (const call of arrayField(message, 'tool_calls')) {
      const id = stringField(call, 'id');
      if (id) calledIds.add(id);
    }
    if (message['role'] === 'tool') {
      const answered = stringField(message, 'tool_call_id');
      if (answered === undefined || !calledIds.has(answered)) {
        return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
      }
    }
  }
  return undefined;
}

/** Every message's text: a string content, or the text parts of a content array (tool results included). */
function messagesText(messages: unknown[]): string[] {
  return messages.flatMap((message) => {
    const content = isRecord(message) ? message['content'] : undefined;
    if (typeof content === 'string') return [content];
    if (!Array.isArray(content)) return [];
    return content.flatMap((part: unknown) => {
      const text = stringField(part, 'text');
      return text === undefined ? [] : [text];
    });
  });
}

/** OpenAI Chat Completions (`POST /v1/chat/completions`) and its Batch API, as the official SDK sees them on the wire. */
export function openaiDialect(): WireDialect {
  return {
    name: 'openai',
    // OPENAI_BASE_URL includes the version, as in https://api.openai.com/v1 or Ollama's http://localhost:11434/v1.
    basePath: '/v1',
    route(method, path, body) {
      if (method !== 'POST' || path !== CHAT) return undefined;
      return { model: stringField(body, 'model') };
    },
    requestText(body) {
      return messagesText(arrayField(body, 'messages')).join('\n');
    },
    successBody: chatCompletion,
    errorBody,
    defaultErrorType(status) {
      return ERROR_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
    },
    invalidRequest: invalidChatRequest,
    batch: openaiBatchDialect(),
  };
}

export function startFakeOpenAI(options: FakeServerOptions = {}): Promise<FakeServer> {
  return startFakeServer(openaiDialect(), options);
}
