import { AnthropicBatchProvider } from './anthropic-batch';
import type { BatchProvider, BatchProviderName } from './batch-types';
import { GeminiBatchProvider } from './gemini-batch';
import { OpenAIBatchProvider } from './openai-batch';
import type { RemoteProviderOptions } from './types';

// The types live in batch-types.ts so each provider's batch module can name them without importing this factory.
export type {
  BatchCallOptions,
  BatchItem,
  BatchItemOutcome,
  BatchProvider,
  BatchProviderName,
  BatchSearch,
  BatchSearchResult,
  BatchState,
} from './batch-types';

export function isBatchProviderName(name: string): name is BatchProviderName {
  return name === 'anthropic' || name === 'gemini' || name === 'openai';
}

export function createBatchProvider(name: BatchProviderName, options: RemoteProviderOptions): BatchProvider {
  if (name === 'openai') return new OpenAIBatchProvider(options);
  return name === 'anthropic' ? new AnthropicBatchProvider(options) : new GeminiBatchProvider(options);
}
