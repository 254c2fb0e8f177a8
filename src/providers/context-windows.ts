import { priceForModel } from './pricing';
import type { ProviderName } from './types';

/**
 * Input + output tokens a model accepts in one call, by the same model families as MODEL_PRICES (so a dated
 * snapshot resolves as its price does). Claude Sonnet's 1M window needs a beta header Refinery does not send,
 * so its standard 200k applies. From the vendors' model pages (late 2025).
 */
export const MODEL_CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  'claude-opus-4-5': 200_000,
  'claude-opus-4-1': 200_000,
  'claude-opus-4': 200_000,
  'claude-opus-4-0': 200_000,
  'claude-sonnet-4-5': 200_000,
  'claude-sonnet-4-6': 200_000,
  'claude-sonnet-4': 200_000,
  'claude-sonnet-4-0': 200_000,
  'claude-3-7-sonnet': 200_000,
  'claude-haiku-4-5': 200_000,
  'claude-3-5-haiku': 200_000,
  'claude-3-haiku': 200_000,
  'gemini-3-pro-preview': 1_048_576,
  'gemini-2.5-pro': 1_048_576,
  'gemini-2.5-flash': 1_048_576,
  'gemini-2.5-flash-lite': 1_048_576,
  'gemini-2.0-flash': 1_048_576,
  'gemini-2.0-flash-lite': 1_048_576,
};

/** Assumed for a model missing from the table: the smallest window listed, so an unknown model is refused early, never overrun. */
export const UNKNOWN_CONTEXT_WINDOW = 200_000;

/** The model's context window in tokens; Infinity for the offline simulation, which reads anything. */
export function contextWindowFor(provider: ProviderName, model: string): number {
  if (provider === 'offline') return Infinity;
  const { matched } = priceForModel(model);
  return (matched && MODEL_CONTEXT_WINDOWS[matched]) || UNKNOWN_CONTEXT_WINDOW;
}
