import {
  parseModelChoice,
  resolveModel,
  ROLE_DEFAULTS,
  type ModelRole,
  type WorkerProviders,
} from '../../../src/tune/model-choice';
import type { ModelChoice } from '../../../src/tune/types';

describe('parseModelChoice', () => {
  test.each<[string, ModelChoice]>([
    ['auto', { provider: 'auto', model: 'default' }],
    ['anthropic', { provider: 'anthropic', model: 'default' }],
    ['anthropic:', { provider: 'anthropic', model: 'default' }],
    ['anthropic:claude-opus-4-1', { provider: 'anthropic', model: 'claude-opus-4-1' }],
    ['gemini:gemini-2.5-flash', { provider: 'gemini', model: 'gemini-2.5-flash' }],
    ['gemini:tunedModels/x:v2', { provider: 'gemini', model: 'tunedModels/x:v2' }],
    ['offline', { provider: 'offline', model: 'default' }],
    ['offline:simulation', { provider: 'offline', model: 'simulation' }],
    ['auto:default', { provider: 'auto', model: 'default' }],
  ])('%j', (text, expected) => {
    expect(parseModelChoice(text, '--judge')).toEqual(expected);
  });

  test.each(['openai:gpt-4o', 'Anthropic', '', ':claude', 'claude-sonnet-4-6'])(
    'an unknown provider in %j throws a message naming the flag and the fix',
    (text) => {
      expect(() => parseModelChoice(text, '--executor')).toThrow(
        `--executor ${text}: provider must be anthropic, gemini, offline or auto (as provider:model)`,
      );
    },
  );
});

describe('resolveModel', () => {
  const w = (
    setting: WorkerProviders['setting'],
    hasAnthropicKey: boolean,
    hasGeminiKey: boolean,
  ): WorkerProviders => ({
    setting,
    hasAnthropicKey,
    hasGeminiKey,
  });
  const auto: ModelChoice = { provider: 'auto', model: 'default' };

  test('role defaults: Claude executes and improves, Gemini judges', () => {
    expect(ROLE_DEFAULTS).toEqual({
      executor: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
      judge: { provider: 'gemini', model: 'gemini-2.5-pro' },
      improver: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
    });
  });

  test.each<[string, ModelRole, ModelChoice, WorkerProviders, string, string]>([
    ['auto, both keys, executor', 'executor', auto, w('auto', true, true), 'anthropic', 'claude-sonnet-4-6'],
    ['auto, both keys, judge', 'judge', auto, w('auto', true, true), 'gemini', 'gemini-2.5-pro'],
    ['auto, both keys, improver', 'improver', auto, w('auto', true, true), 'anthropic', 'claude-sonnet-4-6'],
    [
      'auto, only Anthropic key, judge falls back',
      'judge',
      auto,
      w('auto', true, false),
      'anthropic',
      'claude-sonnet-4-6',
    ],
    [
      'auto, only Gemini key, executor falls back',
      'executor',
      auto,
      w('auto', false, true),
      'gemini',
      'gemini-2.5-pro',
    ],
    ['auto, only Gemini key, judge', 'judge', auto, w('auto', false, true), 'gemini', 'gemini-2.5-pro'],
    ['auto, no keys, executor', 'executor', auto, w('auto', false, false), 'offline', 'simulation'],
    ['auto, no keys, judge', 'judge', auto, w('auto', false, false), 'offline', 'simulation'],
    [
      'REFINERY_PROVIDER=offline forces offline despite keys',
      'executor',
      auto,
      w('offline', true, true),
      'offline',
      'simulation',
    ],
    [
      'REFINERY_PROVIDER=anthropic forces the judge to Anthropic',
      'judge',
      auto,
      w('anthropic', true, true),
      'anthropic',
      'claude-sonnet-4-6',
    ],
    [
      'REFINERY_PROVIDER=gemini forces the executor to Gemini',
      'executor',
      auto,
      w('gemini', true, true),
      'gemini',
      'gemini-2.5-pro',
    ],
    [
      'REFINERY_PROVIDER=gemini without a Gemini key still forces it',
      'improver',
      auto,
      w('gemini', true, false),
      'gemini',
      'gemini-2.5-pro',
    ],
    [
      'explicit provider, default model for the role',
      'judge',
      { provider: 'gemini', model: 'default' },
      w('auto', false, false),
      'gemini',
      'gemini-2.5-pro',
    ],
    [
      'explicit provider off the role default',
      'judge',
      { provider: 'anthropic', model: 'default' },
      w('auto', false, true),
      'anthropic',
      'claude-sonnet-4-6',
    ],
    [
      'explicit Gemini for the executor',
      'executor',
      { provider: 'gemini', model: 'default' },
      w('auto', true, true),
      'gemini',
      'gemini-2.5-pro',
    ],
    [
      'explicit offline',
      'improver',
      { provider: 'offline', model: 'default' },
      w('auto', true, true),
      'offline',
      'simulation',
    ],
    [
      'explicit model kept',
      'executor',
      { provider: 'anthropic', model: 'claude-opus-4-1' },
      w('auto', true, true),
      'anthropic',
      'claude-opus-4-1',
    ],
    [
      'explicit model kept under auto',
      'judge',
      { provider: 'auto', model: 'gemini-2.5-flash' },
      w('auto', true, true),
      'gemini',
      'gemini-2.5-flash',
    ],
    [
      'an explicit provider is not overridden by the worker setting',
      'executor',
      { provider: 'anthropic', model: 'default' },
      w('offline', false, false),
      'anthropic',
      'claude-sonnet-4-6',
    ],
  ])('%s', (_name, role, choice, providers, provider, model) => {
    expect(resolveModel(role, choice, providers)).toEqual({ provider, model });
  });
});
