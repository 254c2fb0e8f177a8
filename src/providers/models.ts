import type { ProviderName } from './types';

export const DEFAULT_MODELS = {
  // claude-sonnet-4-5 reaches end-of-life on 2026-11-30 (the SDK warns on every call); 4.6 replaces it.
  executor: 'claude-sonnet-4-6',
  improver: 'claude-sonnet-4-6',
  judge: 'gemini-2.5-pro',
} as const;

/** Guesses the provider from a model's family prefix; undefined when the name matches neither vendor. */
export function providerForModel(model: string): Exclude<ProviderName, 'offline'> | undefined {
  const name = model.toLowerCase().replace(/^models\//, '');
  if (name.startsWith('claude-')) return 'anthropic';
  if (name.startsWith('gemini-')) return 'gemini';
  if (/^(gpt-|o\d(-|$)|chatgpt-)/.test(name)) return 'openai';
  return undefined;
}
