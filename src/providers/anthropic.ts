import Anthropic from '@anthropic-ai/sdk';
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import { classifyAnthropicError } from './anthropic-errors';
import { readAnthropicMessage } from './anthropic-response';
import { contentFiltered, malformedResponse, missingApiKey } from './call-failures';
import { DEFAULT_TIMEOUT_MS, JSON_ANSWER_INSTRUCTION } from './constants';
import { callerAbortCause } from './deadline';
import { nodeFetch } from './node-fetch';
import { estimateCostUsd } from './pricing';
import { registerSecret } from './redact';
import { anthropicToolParams, toToolTurnResult } from './anthropic-tools';
import type { ToolProvider, ToolTurnRequest, ToolTurnResult } from './tools';
import type { CompleteOptions, CompletionRequest, CompletionResult, Provider, RemoteProviderOptions } from './types';

const PUBLIC_BASE_URL = 'https://api.anthropic.com';

export class AnthropicProvider implements Provider, ToolProvider {
  readonly name = 'anthropic' as const;
  private client: Anthropic | undefined;

  constructor(private readonly options: RemoteProviderOptions) {
    registerSecret(options.apiKey);
  }

  async complete(model: string, req: CompletionRequest, options: CompleteOptions = {}): Promise<CompletionResult> {
    const client = this.getClient();
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const started = performance.now();
    try {
      // An explicit timeout also stops the SDK from refusing large max_tokens without streaming. The SDK enforces it
      // (APIConnectionTimeoutError), so the call needs no timer or abort controller of ours.
      const message: unknown = await client.messages.create(anthropicMessageParams(model, req), {
        signal: options.signal,
        timeout: timeoutMs,
        maxRetries: 0,
      });
      const latencyMs = Math.round(performance.now() - started);
      return toResult(model, message, latencyMs);
    } catch (err) {
      throw classifyAnthropicError(err, {
        model,
        deadline: callerAbortCause(options.signal),
        timeoutMs,
        apiKey: this.options.apiKey,
      });
    }
  }

  /** One tool-use turn: the same client, timeout, retries (none) and error classification as `complete`. */
  async turn(model: string, req: ToolTurnRequest, options: CompleteOptions = {}): Promise<ToolTurnResult> {
    const client = this.getClient();
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const started = performance.now();
    try {
      const message: unknown = await client.messages.create(anthropicToolParams(model, req), {
        signal: options.signal,
        timeout: timeoutMs,
        maxRetries: 0,
      });
      return toToolTurnResult(model, message, Math.round(performance.now() - started));
    } catch (err) {
      throw classifyAnthropicError(err, {
        model,
        deadline: callerAbortCause(options.signal),
        timeoutMs,
        apiKey: this.options.apiKey,
      });
    }
  }

  private getClient(): Anthropic {
    // Messages calls are one JSON body each way: node:http on keep-alive agents serves them at a fraction of the CPU
    // of the built-in fetch (the batch adapter keeps the built-in fetch: it streams JSONL results).
    this.client ??= anthropicClient(this.options, nodeFetch);
    return this.client;
  }
}

/** The SDK client as every Anthropic adapter needs it (the batch adapter too): one place decides URL and retries. */
export function anthropicClient(options: RemoteProviderOptions, fetchFn?: typeof fetch): Anthropic {
  if (!options.apiKey) throw missingApiKey('anthropic');
  return new Anthropic({
    ...(fetchFn ? { fetch: fetchFn } : {}),
    apiKey: options.apiKey,
    // Explicit so that the constructor options, not stray env vars, decide where requests go.
    baseURL: options.baseUrl || PUBLIC_BASE_URL,
    // Temporal activity retries own retrying; SDK retries would multiply attempts and hide failures.
    maxRetries: 0,
    // The SDK starts an OpenTelemetry span per call (attributes, propagation check) even when no tracer provider is
    // registered and the span goes nowhere: a tenth of a call's CPU. Off then; with tracing set up (OTLP), on.
    ...(tracerProviderRegistered() ? {} : { openTelemetry: false }),
  });
}

/** Whether this process registered an OpenTelemetry tracer provider (src/temporal/tracing.ts does, given OTLP). */
function tracerProviderRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer('refinery') !== undefined;
}

/** Messages API parameters for one request; a batch item carries exactly these, so both paths ask the same. */
export function anthropicMessageParams(
  model: string,
  req: CompletionRequest,
): Anthropic.MessageCreateParamsNonStreaming {
  const system = req.json ? [req.system, JSON_ANSWER_INSTRUCTION].filter(Boolean).join('\n\n') : req.system;
  return {
    model,
    max_tokens: req.maxTokens,
    messages: [{ role: 'user', content: req.prompt }],
    ...(system ? { system } : {}),
    ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
  };
}

function toResult(model: string, message: unknown, latencyMs: number): CompletionResult {
  const parsed = readAnthropicMessage(message);
  if (parsed.kind === 'malformed') throw malformedResponse('anthropic', model, parsed.problem);
  if (parsed.kind === 'withheld') throw contentFiltered('anthropic', model, parsed.reason);
  return {
    text: parsed.text,
    provider: 'anthropic',
    model,
    inputTokens: parsed.inputTokens,
    outputTokens: parsed.outputTokens,
    costUsd: estimateCostUsd(model, parsed.inputTokens, parsed.outputTokens),
    latencyMs,
    stopReason: parsed.stopReason,
  };
}
