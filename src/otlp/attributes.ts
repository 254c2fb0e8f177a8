/**
 * Span attribute names. The gen_ai.* and error.type names are OpenTelemetry's GenAI semantic conventions
 * (development status, so the older names instrumentations still emit are read too); the refinery.* names
 * are ours: the resolver sets them on the active span when it resolves, and OTLP ingestion reads them.
 */
export const PROMPT_ATTRIBUTES = {
  name: 'refinery.prompt.name',
  version: 'refinery.prompt.version',
  label: 'refinery.prompt.label',
  /** The unit id a flag was evaluated for, set only when the application resolved with one. */
  unit: 'refinery.unit.id',
} as const;

export const GENAI_ATTRIBUTES = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  /** Older name of gen_ai.provider.name (semantic conventions up to 1.36). */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  /** Older names of the token counts. */
  promptTokens: 'gen_ai.usage.prompt_tokens',
  completionTokens: 'gen_ai.usage.completion_tokens',
  errorType: 'error.type',
} as const;

/**
 * Operations that are a model producing output from a prompt, i.e. a run of a prompt or skill version.
 * Embeddings, tool executions and agent creation are not: their spans are skipped.
 */
export const RUN_OPERATIONS: ReadonlySet<string> = new Set([
  'chat',
  'text_completion',
  'generate_content',
  'invoke_agent',
]);
