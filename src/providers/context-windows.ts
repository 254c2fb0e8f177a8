import { priceForModel } from './pricing';

/**
 * Context windows in tokens (prompt and answer together), from the vendors' model pages (late 2025), keyed by the
 * same families as MODEL_PRICES so dated snapshots resolve the same way. Claude's 1M-token beta is not assumed.
 */
export const CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
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

/**
 * The model's context window, or undefined for a model the table does not know (a local model behind
 * OPENAI_BASE_URL, a new release): callers must then not assume a size.
 */
export function contextWindowForModel(model: string): number | undefined {
  const { matched } = priceForModel(model);
  return matched === undefined ? undefined : CONTEXT_WINDOWS[matched];
}
