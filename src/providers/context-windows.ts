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
  'gpt-5': 400_000,
  'gpt-5-mini': 400_000,
  'gpt-5-nano': 400_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
  'gpt-4o': 128_000,
  'gpt-4o-mini': 128_000,
  o3: 200_000,
  'o3-mini': 200_000,
  'o4-mini': 200_000,
};
/** The same table under the name the OpenAI provider's tests use. */
export const CONTEXT_WINDOWS = MODEL_CONTEXT_WINDOWS;

/** Assumed for a model missing from the table: the smallest window listed, so an unknown model is refused early, never overrun. */
export const UNKNOWN_CONTEXT_WINDOW = 128_000;

/**
 * The model's context window, or undefined for a model the table does not know (a local model behind
 * OPENAI_BASE_URL, a new release).
 */
export function contextWindowForModel(model: string): number | undefined {
  const { matched } = priceForModel(model);
  return matched === undefined ? undefined : MODEL_CONTEXT_WINDOWS[matched];
}

/** The window a prompt is checked against: Infinity for the offline simulation, which reads anything. */
export function contextWindowFor(provider: ProviderName, model: string): number {
  if (provider === 'offline') return Infinity;
  return contextWindowForModel(model) ?? UNKNOWN_CONTEXT_WINDOW;
}
