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
  successBody({ model, text, inputTokens, outputTokens, id }) {
    return {
      id: `msg_${id}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
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
};

export function startFakeAnthropic(options: FakeServerOptions = {}): Promise<FakeServer> {
  return startFakeServer(anthropicDialect, options);
}

/** Anthropic content is either a plain string or a list of blocks, of which only text blocks carry prompt text. */
function contentText(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((block: unknown) => {
    const text = stringField(block, 'text');
    return text === undefined ? [] : [text];
  });
}
