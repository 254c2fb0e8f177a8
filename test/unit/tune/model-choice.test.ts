import {
  parseModelChoice,
  resolveModel,
  resolveTuneModels,
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
    ['openai:gpt-4o', { provider: 'openai', model: 'gpt-4o' }],
    ['openai:llama3.2:3b', { provider: 'openai', model: 'llama3.2:3b' }],
    ['auto:default', { provider: 'auto', model: 'default' }],
  ])('%j', (text, expected) => {
    expect(parseModelChoice(text, '--judge')).toEqual(expected);
  });

  test.each(['azure:gpt-4o', 'Anthropic', '', ':claude', 'claude-sonnet-4-6'])(
    'an unknown provider in %j throws a message naming the flag and the fix',
    (text) => {
      expect(() => parseModelChoice(text, '--executor')).toThrow(
        `--executor ${text}: provider must be anthropic, gemini, openai, offline or auto (as provider:model)`,
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

describe('resolveTuneModels: the judge comes from another family than the executor', () => {
  const w = (setting: WorkerProviders['setting'], anthropic: boolean, gemini: boolean): WorkerProviders => ({
    setting,
    hasAnthropicKey: anthropic,
    hasGeminiKey: gemini,
  });
  const auto: ModelChoice = { provider: 'auto', model: 'default' };
  const all = { executor: auto, judge: auto, improver: auto };
  const pick = (m: ReturnType<typeof resolveTuneModels>) => `${m.executor.provider}/${m.judge.provider}`;

  test('both keys: Claude executes, Gemini judges, no warning', () => {
    expect(resolveTuneModels(all, w('auto', true, true))).toEqual({
      executor: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
      judge: { provider: 'gemini', model: 'gemini-2.5-pro' },
      improver: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
    });
  });

  test('an executor moved to Gemini moves an automatic judge to Claude', () => {
    const m = resolveTuneModels({ ...all, executor: { provider: 'gemini', model: 'default' } }, w('auto', true, true));
    expect(m.judge).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    expect(m.sameFamilyWarning).toBeUndefined();
  });

  test.each<[string, WorkerProviders, string, RegExp]>([
    [
      'only an Anthropic key',
      w('auto', true, false),
      'anthropic/anthropic',
      /\(Claude\).*GEMINI_API_KEY.*--judge gemini:<model>/,
    ],
    [
      'only a Gemini key',
      w('auto', false, true),
      'gemini/gemini',
      /\(Gemini\).*ANTHROPIC_API_KEY.*--judge anthropic:<model>/,
    ],
    [
      'REFINERY_PROVIDER=anthropic',
      w('anthropic', true, true),
      'anthropic/anthropic',
      /share a model family \(Claude\)/,
    ],
    ['REFINERY_PROVIDER=gemini', w('gemini', true, true), 'gemini/gemini', /share a model family \(Gemini\)/],
  ])('%s: one family for both, and a warning that says so and how to avoid it', (_name, providers, families, why) => {
    const m = resolveTuneModels(all, providers);
    expect(pick(m)).toBe(families);
    expect(m.sameFamilyWarning).toMatch(
      /^the judge \(\w+:[\w.-]+\) and the executor \(\w+:[\w.-]+\) share a model family/,
    );
    expect(m.sameFamilyWarning).toMatch(why);
  });

  test('an explicit judge of the executor family is kept, with the warning', () => {
    const m = resolveTuneModels(
      { ...all, judge: { provider: 'anthropic', model: 'claude-opus-4-1' } },
      w('auto', true, true),
    );
    expect(m.judge).toEqual({ provider: 'anthropic', model: 'claude-opus-4-1' });
    expect(m.sameFamilyWarning).toContain(
      'the judge (anthropic:claude-opus-4-1) and the executor (anthropic:claude-sonnet-4-6)',
    );
  });

  test('a judge model named under auto is not second-guessed', () => {
    const m = resolveTuneModels(
      {
        ...all,
        executor: { provider: 'gemini', model: 'default' },
        judge: { provider: 'auto', model: 'gemini-2.5-flash' },
      },
      w('auto', true, true),
    );
    expect(m.judge).toEqual({ provider: 'gemini', model: 'gemini-2.5-flash' });
    expect(m.sameFamilyWarning).toBeDefined();
  });

  test.each<[string, { executor: ModelChoice; judge: ModelChoice; improver: ModelChoice }, WorkerProviders, string]>([
    ['no keys: the offline simulation', all, w('auto', false, false), 'offline/offline'],
    ['REFINERY_PROVIDER=offline', all, w('offline', true, true), 'offline/offline'],
    [
      'an offline executor keeps the default judge',
      { ...all, executor: { provider: 'offline', model: 'default' } },
      w('auto', true, true),
      'offline/gemini',
    ],
  ])('%s: no family warning', (_name, choices, providers, families) => {
    const m = resolveTuneModels(choices, providers);
    expect(pick(m)).toBe(families);
    expect(m.sameFamilyWarning).toBeUndefined();
  });
});

describe('OpenAI in auto resolution and the judge family choice', () => {
  const w = (anthropic: boolean, gemini: boolean, openai: boolean, setting: WorkerProviders['setting'] = 'auto') => ({
    setting,
    hasAnthropicKey: anthropic,
    hasGeminiKey: gemini,
    hasOpenaiKey: openai,
  });
  const auto: ModelChoice = { provider: 'auto', model: 'default' };
  const all = { executor: auto, judge: auto, improver: auto };

  test.each<[ModelRole]>([['executor'], ['judge'], ['improver']])(
    'auto picks openai for the %s when it is the only one set',
    (role) => {
      expect(resolveModel(role, auto, w(false, false, true))).toEqual({ provider: 'openai', model: 'gpt-4.1' });
    },
  );

  test('Claude and Gemini keep their roles when their keys are set besides OpenAI', () => {
    expect(resolveModel('executor', auto, w(true, true, true)).provider).toBe('anthropic');
    expect(resolveModel('judge', auto, w(true, true, true)).provider).toBe('gemini');
    expect(resolveModel('judge', auto, w(true, false, true)).provider).toBe('anthropic');
  });

  test('REFINERY_PROVIDER=openai forces it, and openai:<model> names a model of any compatible server', () => {
    expect(resolveModel('judge', auto, w(true, true, true, 'openai'))).toEqual({
      provider: 'openai',
      model: 'gpt-4.1',
    });
    expect(resolveModel('executor', { provider: 'openai', model: 'llama3.2' }, w(false, false, true))).toEqual({
      provider: 'openai',
      model: 'llama3.2',
    });
  });

  test('an OpenAI executor gets a judge of another family when one is configured', () => {
    const m = resolveTuneModels(
      { ...all, executor: { provider: 'openai', model: 'gpt-4.1-mini' } },
      w(true, false, true),
    );
    expect(m.judge).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    expect(m.sameFamilyWarning).toBeUndefined();
  });

  test('OpenAI alone: every role is GPT, and the run says how to get an independent judge', () => {
    const m = resolveTuneModels(all, w(false, false, true));
    expect([m.executor.provider, m.judge.provider, m.improver.provider]).toEqual(['openai', 'openai', 'openai']);
    expect(m.sameFamilyWarning).toContain('share a model family (GPT)');
    expect(m.sameFamilyWarning).toContain('GEMINI_API_KEY');
    expect(m.sameFamilyWarning).toContain('--judge gemini:<model>');
  });
});
