import { DEFAULT_MODELS } from '../providers/models';
import type { ModelChoice, ResolvedModel, RunModels } from './types';

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
  openai: 'gpt-4.1',
  offline: 'simulation',
} as const;
type RemoteVendor = 'anthropic' | 'gemini' | 'openai';

/** Parses `provider:model` (or `provider`) from the CLI; throws a message naming the fix. */
export function parseModelChoice(text: string, flag: string): ModelChoice {
  const [provider, ...rest] = text.split(':');
  const model = rest.join(':') || 'default';
  if (
    provider !== 'auto' &&
    provider !== 'anthropic' &&
    provider !== 'gemini' &&
    provider !== 'openai' &&
    provider !== 'offline'
  ) {
    throw new Error(`${flag} ${text}: provider must be anthropic, gemini, openai, offline or auto (as provider:model)`);
  }
  return { provider, model };
}

export interface WorkerProviders {
  /** REFINERY_PROVIDER on the worker. */
  setting: 'auto' | 'offline' | 'anthropic' | 'gemini' | 'openai';
  hasAnthropicKey: boolean;
  hasGeminiKey: boolean;
  /** OPENAI_API_KEY or OPENAI_BASE_URL (a local OpenAI-compatible server needs no key). */
  hasOpenaiKey?: boolean;
}

const hasVendor = (w: WorkerProviders, p: RemoteVendor): boolean =>
  p === 'anthropic' ? w.hasAnthropicKey : p === 'gemini' ? w.hasGeminiKey : Boolean(w.hasOpenaiKey);

/** What the worker actually calls for a role: `auto` follows REFINERY_PROVIDER and the keys it holds. */
export function resolveModel(role: ModelRole, choice: ModelChoice, w: WorkerProviders): ResolvedModel {
  let provider = choice.provider;
  if (provider === 'auto') {
    if (w.setting === 'offline') provider = 'offline';
    else if (w.setting === 'anthropic' || w.setting === 'gemini' || w.setting === 'openai') provider = w.setting;
    else {
      // The role's default vendor, then the other of Claude and Gemini, then OpenAI: openai is picked when it is
      // the only one configured.
      const preferred = ROLE_DEFAULTS[role].provider;
      const other: RemoteVendor = preferred === 'anthropic' ? 'gemini' : 'anthropic';
      const order: RemoteVendor[] = [preferred, other, 'openai'];
      provider = order.find((p) => hasVendor(w, p)) ?? 'offline';
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

const FAMILY = { anthropic: 'Claude', gemini: 'Gemini', openai: 'GPT' } as const;
const KEY_VARIABLE = { anthropic: 'ANTHROPIC_API_KEY', gemini: 'GEMINI_API_KEY', openai: 'OPENAI_API_KEY' } as const;
// The order in which another family is sought for the judge: Gemini and Claude first, as the role defaults.
const JUDGE_ORDER: readonly RemoteVendor[] = ['gemini', 'anthropic', 'openai'];

/**
 * Resolves a run's three roles. A judge left to `auto` comes from the other family than the executor when
 * the worker holds that family's key, since a model grading its own family's output tends to favour it; when
 * it cannot (one key only, or REFINERY_PROVIDER forcing one vendor, or an explicit choice), the run says so.
 */
export function resolveTuneModels(
  choices: { executor: ModelChoice; judge: ModelChoice; improver: ModelChoice },
  w: WorkerProviders,
): RunModels {
  const executor = resolveModel('executor', choices.executor, w);
  const improver = resolveModel('improver', choices.improver, w);
  let judge = resolveModel('judge', choices.judge, w);
  const fullyAuto = choices.judge.provider === 'auto' && choices.judge.model === 'default';
  if (fullyAuto && w.setting === 'auto' && executor.provider !== 'offline' && judge.provider === executor.provider) {
    const other = JUDGE_ORDER.find((p) => p !== executor.provider && hasVendor(w, p));
    if (other) judge = resolveModel('judge', { provider: other, model: 'default' }, w);
  }
  const models: RunModels = { executor, judge, improver };
  if (judge.provider !== 'offline' && judge.provider === executor.provider) {
    const other = JUDGE_ORDER.find((p) => p !== judge.provider)!;
    const variable = KEY_VARIABLE[other];
    models.sameFamilyWarning =
      `the judge (${judge.provider}:${judge.model}) and the executor (${executor.provider}:${executor.model}) ` +
      `share a model family (${FAMILY[judge.provider]}), so the judge may favour its own family's output: ` +
      `for an independent judge give the worker ${variable} (with REFINERY_PROVIDER=auto) or choose --judge ${other}:<model>`;
  }
  return models;
}
