/** What a provider adapter made of a 2xx body, before it becomes a CompletionResult or a ProviderError. */
export type ResponseReading =
  | { kind: 'answer'; text: string; inputTokens: number; outputTokens: number; stopReason: string | undefined }
  | { kind: 'malformed'; problem: string }
  | { kind: 'withheld'; reason: string };
