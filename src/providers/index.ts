import { AnthropicProvider } from './anthropic';
import { GeminiProvider } from './gemini';
import { OpenAIProvider } from './openai';
import type { Provider, ProviderName, RemoteProviderOptions } from './types';

export type {
  CompleteOptions,
  CompletionRequest,
  CompletionResult,
  Provider,
  ProviderName,
  RemoteProviderOptions,
} from './types';
export { ProviderError, isProviderError, type ProviderErrorInit, type ProviderErrorKind } from './errors';
export {
  BATCH_PRICE_FACTOR,
  estimateBatchCostUsd,
  estimateCostUsd,
  MODEL_PRICES,
  priceForModel,
  UNKNOWN_MODEL_PRICE,
  type ModelPrice,
  type PriceLookup,
} from './pricing';
export { DEFAULT_MODELS, providerForModel } from './models';
export { PROVIDER_REJECTED, PROVIDER_RETRYABLE, toActivityFailure } from './activity-failure';
export { redact, registerSecret } from './redact';
export { AnthropicProvider } from './anthropic';
export { GeminiProvider } from './gemini';
export { OpenAIProvider } from './openai';
export { contextWindowForModel, CONTEXT_WINDOWS } from './context-windows';
export {
  createBatchProvider,
  isBatchProviderName,
  type BatchItem,
  type BatchItemOutcome,
  type BatchProvider,
  type BatchProviderName,
  type BatchSearch,
  type BatchSearchResult,
  type BatchState,
} from './batch';

export function createProvider(name: ProviderName, options: RemoteProviderOptions): Provider {
  switch (name) {
    case 'anthropic':
      return new AnthropicProvider(options);
    case 'gemini':
      return new GeminiProvider(options);
    case 'openai':
      return new OpenAIProvider(options);
    case 'offline':
      // Built by src/offline (OfflineProvider), which depends on tune prompt parsing that providers should not import.
      throw new Error('createProvider does not build the offline provider: use OfflineProvider from src/offline');
  }
}
export {
  supportsTools,
  toolRequestText,
  type ToolCall,
  type ToolMessage,
  type ToolProvider,
  type ToolResult,
  type ToolSpec,
  type ToolTurnRequest,
  type ToolTurnResult,
} from './tools';
export { MODEL_CONTEXT_WINDOWS, UNKNOWN_CONTEXT_WINDOW, contextWindowFor } from './context-windows';
export { ContextBudgetError, checkContextBudget, type ContextCheck } from './context-budget';
