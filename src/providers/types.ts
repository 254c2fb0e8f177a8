export type ProviderName = 'anthropic' | 'gemini' | 'openai' | 'offline';

export interface CompletionRequest {
  system?: string;
  prompt: string;
  maxTokens: number;
  temperature?: number;
  /** Ask for a JSON answer where the API supports it (Gemini: JSON mime type; Anthropic: a system instruction). */
  json?: boolean;
  /**
   * With `json`: the shape the answer must have. OpenAI enforces it (response_format json_schema, strict); the others
   * ignore it and rely on `json` alone.
   */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
}

export interface CompletionResult {
  text: string;
  provider: ProviderName;
  model: string;
  inputTokens: number;
  /** Billed output tokens, including any hidden reasoning ("thinking") tokens. */
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  /** The provider's own stop reason (`end_turn`, `max_tokens`, `STOP`, `MAX_TOKENS`, ...), to spot truncated answers. */
  stopReason?: string;
}

export interface CompleteOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface Provider {
  readonly name: ProviderName;
  complete(model: string, req: CompletionRequest, options?: CompleteOptions): Promise<CompletionResult>;
}

/** Settings shared by the providers that call a remote API. */
export interface RemoteProviderOptions {
  /** May be empty for OpenAI with a base URL: local OpenAI-compatible servers (Ollama, vLLM, llama.cpp) need none. */
  apiKey: string;
  /** From ANTHROPIC_BASE_URL / GEMINI_BASE_URL / OPENAI_BASE_URL; undefined means the vendor's public endpoint. */
  baseUrl?: string;
  /** Used when a call passes no `timeoutMs`. */
  timeoutMs?: number;
}
