import { DEFAULT_MODELS } from '../providers/models';
import type { ModelChoice } from './types';

export type ModelRole = 'executor' | 'judge' | 'improver';

/** Defaults by role: Claude executes and improves, Gemini judges (two complementary perspectives). */
export const ROLE_DEFAULTS: Record<ModelRole, { provider: 'anthropic' | 'gemini'; model: string }> = {
  executor: { provider: 'anthropic', model: DEFAULT_MODELS.executor },
  judge: { provider: 'gemini', model: DEFAULT_MODELS.judge },
  improver: { provider: 'anthropic', model: DEFAULT_MODELS.improver },
};
const VENDOR_DEFAULT = {
  anthropic: DEFAULT_MODELS.executor,
  gemini: DEFAULT_MODELS.judge,
  offline: 'simulation',
} as const;

/** Parses `provider:model` (or `provider`) from the CLI; throws a message naming the fix. */
export function parseModelChoice(text: string, flag: string): ModelChoice {
  const [provider, ...rest] = text.split(':');
  const model = rest.join(':') || 'default';
  if (provider !== 'auto' && provider !== 'anthropic' && provider !== 'gemini' && provider !== 'offline') {
    throw new Error(`${flag} ${text}: provider must be anthropic, gemini, offline or auto (as provider:model)`);
  }
  return { provider, model };
}

export interface WorkerProviders {
  /** REFINERY_PROVIDER on the worker. */
  setting: 'auto' | 'offline' | 'anthropic' | 'gemini';
  hasAnthropicKey: boolean;
  hasGeminiKey: boolean;
}

/** What the worker actually calls for a role: `auto` follows REFINERY_PROVIDER and the keys it holds. */
export function resolveModel(
  role: ModelRole,
  choice: ModelChoice,
  w: WorkerProviders,
): { provider: 'anthropic' | 'gemini' | 'offline'; model: string } {
  let provider = choice.provider;
  if (provider === 'auto') {
    if (w.setting === 'offline') provider = 'offline';
    else if (w.setting === 'anthropic' || w.setting === 'gemini') provider = w.setting;
    else {
      const preferred = ROLE_DEFAULTS[role].provider;
      const has = (p: 'anthropic' | 'gemini') => (p === 'anthropic' ? w.hasAnthropicKey : w.hasGeminiKey);
      const other = preferred === 'anthropic' ? 'gemini' : 'anthropic';
      provider = has(preferred) ? preferred : has(other) ? other : 'offline';
    }
  }
  const model =
    choice.model === 'default'
      ? provider === ROLE_DEFAULTS[role].provider
        ? ROLE_DEFAULTS[role].model
        : VENDOR_DEFAULT[provider]
      : choice.model;
  return { provider, model };
}
