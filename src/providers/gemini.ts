import { headerKeepingFetch } from './header-keeping-fetch';
import { GoogleGenAI, type Content, type GenerateContentConfig, type GenerateContentParameters } from '@google/genai';
import { contentFiltered, malformedResponse, missingApiKey } from './call-failures';
import { DEFAULT_TIMEOUT_MS } from './constants';
import { startDeadline } from './deadline';
import { classifyGeminiError } from './gemini-errors';
import { readGeminiResponse } from './gemini-response';
import { estimateCostUsd } from './pricing';
import { registerSecret } from './redact';
import { geminiToolParams, toGeminiToolTurnResult } from './gemini-tools';
import type { ToolProvider, ToolTurnRequest, ToolTurnResult } from './tools';
import type { CompleteOptions, CompletionRequest, CompletionResult, Provider, RemoteProviderOptions } from './types';

const PUBLIC_BASE_URL = 'https://generativelanguage.googleapis.com/';

export class GeminiProvider implements Provider, ToolProvider {
  readonly name = 'gemini' as const;
  private client: GoogleGenAI | undefined;

  constructor(private readonly options: RemoteProviderOptions) {
    registerSecret(options.apiKey);
  }

  async complete(model: string, req: CompletionRequest, options: CompleteOptions = {}): Promise<CompletionResult> {
    const client = this.getClient();
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const deadline = startDeadline(timeoutMs, options.signal);
    const http = headerKeepingFetch();
    const started = performance.now();
    try {
      const response: unknown = await client.models.generateContent(toParams(model, req, deadline.signal, http.fetch));
      const latencyMs = Math.round(performance.now() - started);
      return toResult(model, response, latencyMs);
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

  /** One function-calling turn: the same client, timeout, retries (none) and error classification as `complete`. */
  async turn(model: string, req: ToolTurnRequest, options: CompleteOptions = {}): Promise<ToolTurnResult> {
    const client = this.getClient();
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const deadline = startDeadline(timeoutMs, options.signal);
    const http = headerKeepingFetch();
    const started = performance.now();
    try {
      const response: unknown = await client.models.generateContent(
        geminiToolParams(model, req, deadline.signal, http.fetch),
      );
      return toGeminiToolTurnResult(model, response, Math.round(performance.now() - started));
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

  private getClient(): GoogleGenAI {
    this.client ??= geminiClient(this.options);
    return this.client;
  }
}

/** The SDK client as every Gemini adapter needs it (the batch adapter too): one place decides URL, API and retries. */
export function geminiClient(options: RemoteProviderOptions): GoogleGenAI {
  if (!options.apiKey) throw missingApiKey('gemini');
  return new GoogleGenAI({
    apiKey: options.apiKey,
    // Explicit so that GOOGLE_GENAI_USE_VERTEXAI in the environment cannot reroute calls to Vertex AI.
    vertexai: false,
    httpOptions: {
      baseUrl: options.baseUrl || PUBLIC_BASE_URL,
      // retryOptions left unset on purpose: then the SDK makes exactly one attempt, bypassing its p-retry
      // wrapper entirely (even `attempts: 1` goes through p-retry, which rewraps errors it does not recognise).
      // Temporal activity retries own retrying.
    },
  });
}

/** One request's contents and generation settings; a batch item carries exactly these, so both paths ask the same. */
export function geminiRequest(req: CompletionRequest): {
  contents: Content[];
  config: Pick<GenerateContentConfig, 'systemInstruction' | 'temperature' | 'responseMimeType' | 'maxOutputTokens'>;
} {
  return {
    contents: [{ role: 'user', parts: [{ text: req.prompt }] }],
    config: {
      ...(req.system ? { systemInstruction: req.system } : {}),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      ...(req.json ? { responseMimeType: 'application/json' } : {}),
      maxOutputTokens: req.maxTokens,
    },
  };
}

function toParams(
  model: string,
  req: CompletionRequest,
  abortSignal: AbortSignal,
  fetchFn: typeof fetch,
): GenerateContentParameters {
  const { contents, config } = geminiRequest(req);
  return {
    model,
    contents,
    config: {
      ...config,
      abortSignal,
      // Continuation would silently issue more requests per call; one call must be one request.
      automaticContinuation: false,
      // A per-call fetch keeps the captured headers private to this call under concurrency. Side effect: the SDK
      // then skips its no-timeout undici dispatcher, so undici's default 300 s headers timeout also applies.
      httpOptions: { fetch: fetchFn },
    },
  };
}

function toResult(model: string, response: unknown, latencyMs: number): CompletionResult {
  const parsed = readGeminiResponse(response);
  if (parsed.kind === 'malformed') throw malformedResponse('gemini', model, parsed.problem);
  if (parsed.kind === 'withheld') throw contentFiltered('gemini', model, parsed.reason);
  return {
    text: parsed.text,
    provider: 'gemini',
    model,
    inputTokens: parsed.inputTokens,
    outputTokens: parsed.outputTokens,
    costUsd: estimateCostUsd(model, parsed.inputTokens, parsed.outputTokens),
    latencyMs,
    stopReason: parsed.stopReason,
  };
}
