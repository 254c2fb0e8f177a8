import { startFakeServer, type FakeServer, type FakeServerOptions, type WireDialect } from './fake-server-core';
import { arrayField, isRecord, stringField } from './json-fields';

// @google/genai 2.x builds `${baseUrl}/${apiVersion}/models/${model}:generateContent`, apiVersion defaulting to v1beta.
const GENERATE_CONTENT = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):generateContent$/;

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
  successBody({ model, text, inputTokens, outputTokens, id }) {
    return {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
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
};

export function startFakeGemini(options: FakeServerOptions = {}): Promise<FakeServer> {
  return startFakeServer(geminiDialect, options);
}

/** A Gemini `Content` (or a bare string system instruction) reduced to its text parts. */
function partsText(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  return arrayField(content, 'parts').flatMap((part) => {
    const text = stringField(part, 'text');
    return text === undefined ? [] : [text];
  });
}
