import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { contentFiltered, malformedResponse, missingApiKey } from './call-failures';
import { DEFAULT_TIMEOUT_MS, JSON_ANSWER_INSTRUCTION } from './constants';
import { callerAbortCause } from './deadline';
import { classifyOpenAIError } from './openai-errors';
import { readChatCompletion } from './openai-response';
import { openaiToolParams, toOpenAIToolTurnResult } from './openai-tools';
import { estimateCostUsd } from './pricing';
import { registerSecret } from './redact';
import type { ToolTurnRequest, ToolTurnResult } from './tools';
import type { CompleteOptions, CompletionRequest, CompletionResult, Provider, RemoteProviderOptions } from './types';
import { nodeFetch } from './node-fetch';

const PUBLIC_BASE_URL = 'https://api.openai.com/v1';

// Sent when a base URL is set without a key: the SDK insists on a credential, and local servers (Ollama, vLLM
// without --api-key, llama.cpp's server) ignore the bearer token. llama.cpp's own examples use this string.
const NO_KEY = 'sk-no-key-required';

// Reasoning models refuse any temperature but the default; sending one would fail every call with a 400.
const FIXED_TEMPERATURE = /^(o\d|gpt-5)/;

/**
 * OpenAI's Chat Completions API, which every OpenAI-compatible server also speaks (Ollama, vLLM, llama.cpp,
 * LM Studio, LiteLLM, OpenRouter): OPENAI_BASE_URL points the provider at one of them.
 */
export class OpenAIProvider implements Provider {
  readonly name = 'openai' as const;
  private client: OpenAI | undefined;

  constructor(private readonly options: RemoteProviderOptions) {
    registerSecret(options.apiKey);
  }

  async complete(model: string, req: CompletionRequest, options: CompleteOptions = {}): Promise<CompletionResult> {
    const client = this.getClient();
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const started = performance.now();
    try {
      // The SDK enforces the timeout (APIConnectionTimeoutError), so the call needs no timer or abort controller of ours.
      const completion: unknown = await client.chat.completions.create(
        openaiChatParams(model, req, this.options.baseUrl),
        { signal: options.signal, timeout: timeoutMs, maxRetries: 0 },
      );
      const latencyMs = Math.round(performance.now() - started);
      return toResult(model, completion, latencyMs);
    } catch (err) {
      throw classifyOpenAIError(err, {
        model,
        deadline: callerAbortCause(options.signal),
        timeoutMs,
        apiKey: this.options.apiKey,
      });
    }
  }

  /** One tool-use turn (function calling): the same client, timeout, retries (none) and error classification. */
  async turn(model: string, req: ToolTurnRequest, options: CompleteOptions = {}): Promise<ToolTurnResult> {
    const client = this.getClient();
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const started = performance.now();
    try {
      const completion: unknown = await client.chat.completions.create(
        openaiToolParams(model, req, outputLimits(model, req, this.options.baseUrl)),
        { signal: options.signal, timeout: timeoutMs, maxRetries: 0 },
      );
      return toOpenAIToolTurnResult(model, completion, Math.round(performance.now() - started));
    } catch (err) {
      throw classifyOpenAIError(err, {
        model,
        deadline: callerAbortCause(options.signal),
        timeoutMs,
        apiKey: this.options.apiKey,
      });
    }
  }

  private getClient(): OpenAI {
    // As for Anthropic: chat completions are one JSON body each way, served by node:http on keep-alive agents (the
    // batch adapter keeps the built-in fetch: it uploads files and downloads JSONL).
    this.client ??= openaiClient(this.options, nodeFetch);
    return this.client;
  }
}

/** The SDK client as every OpenAI adapter needs it (the batch adapter too): one place decides URL, key and retries. */
export function openaiClient(options: RemoteProviderOptions, fetchFn?: typeof fetch): OpenAI {
  // No key is fine for a local server named by its base URL, never for OpenAI's own endpoint.
  if (!options.apiKey && !options.baseUrl) throw missingApiKey('openai');
  return new OpenAI({
    ...(fetchFn ? { fetch: fetchFn } : {}),
    apiKey: options.apiKey || NO_KEY,
    // Explicit so that the constructor options, not stray env vars (OPENAI_BASE_URL, OPENAI_ORG_ID,
    // OPENAI_PROJECT_ID, OPENAI_ADMIN_KEY), decide where requests go and what they carry.
    baseURL: options.baseUrl || PUBLIC_BASE_URL,
    organization: null,
    project: null,
    adminAPIKey: null,
    // Temporal activity retries own retrying; SDK retries would multiply attempts and hide failures.
    maxRetries: 0,
  });
}

/**
 * Chat Completions parameters for one request; a batch line carries exactly these, so both paths ask the same.
 * OpenAI's own endpoint gets `max_completion_tokens` (reasoning models refuse `max_tokens`); any other base URL gets
 * `max_tokens`, the field every compatible server reads.
 */
export function openaiChatParams(
  model: string,
  req: CompletionRequest,
  baseUrl: string | undefined,
): ChatCompletionCreateParamsNonStreaming {
  // json_object mode requires the word "JSON" in the messages; the instruction says it, and helps json_schema too.
  const system = req.json ? [req.system, JSON_ANSWER_INSTRUCTION].filter(Boolean).join('\n\n') : req.system;
  const messages: ChatCompletionCreateParamsNonStreaming['messages'] = [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    { role: 'user', content: req.prompt },
  ];
  return {
    model,
    messages,
    ...outputLimits(model, req, baseUrl),
    ...(req.json ? { response_format: responseFormat(req) } : {}),
  };
}

/** The output cap in the field the endpoint reads, and a temperature only where the model takes one. */
function outputLimits(
  model: string,
  req: { maxTokens: number; temperature?: number },
  baseUrl: string | undefined,
): Pick<ChatCompletionCreateParamsNonStreaming, 'max_tokens' | 'max_completion_tokens' | 'temperature'> {
  const publicEndpoint = !baseUrl || baseUrl.replace(/\/+$/, '') === PUBLIC_BASE_URL;
  return {
    ...(publicEndpoint ? { max_completion_tokens: req.maxTokens } : { max_tokens: req.maxTokens }),
    ...(req.temperature === undefined || FIXED_TEMPERATURE.test(model) ? {} : { temperature: req.temperature }),
  };
}

function responseFormat(req: CompletionRequest): ChatCompletionCreateParamsNonStreaming['response_format'] {
  if (!req.jsonSchema) return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: { name: req.jsonSchema.name, schema: req.jsonSchema.schema, strict: true },
  };
}

function toResult(model: string, completion: unknown, latencyMs: number): CompletionResult {
  const parsed = readChatCompletion(completion);
  if (parsed.kind === 'malformed') throw malformedResponse('openai', model, parsed.problem);
  if (parsed.kind === 'withheld') throw contentFiltered('openai', model, parsed.reason);
  return {
    text: parsed.text,
    provider: 'openai',
    model,
    inputTokens: parsed.inputTokens,
    outputTokens: parsed.outputTokens,
    costUsd: estimateCostUsd(model, parsed.inputTokens, parsed.outputTokens),
    latencyMs,
    stopReason: parsed.stopReason,
  };
}
