import {
  AnthropicProvider,
  createProvider,
  DEFAULT_MODELS,
  GeminiProvider,
  OpenAIProvider,
  providerForModel,
} from '../../src/providers';

describe('createProvider', () => {
  it('builds the Anthropic and Gemini providers', () => {
    const anthropic = createProvider('anthropic', { apiKey: 'k-anthropic-123', baseUrl: 'http://127.0.0.1:1' });
    const gemini = createProvider('gemini', { apiKey: 'k-gemini-12345', baseUrl: 'http://127.0.0.1:1' });

    expect(anthropic).toBeInstanceOf(AnthropicProvider);
    expect(anthropic.name).toBe('anthropic');
    expect(gemini).toBeInstanceOf(GeminiProvider);
    expect(gemini.name).toBe('gemini');
  });

  it('builds the OpenAI provider', () => {
    const openai = createProvider('openai', { apiKey: 'k-openai-12345', baseUrl: 'http://127.0.0.1:1/v1' });

    expect(openai).toBeInstanceOf(OpenAIProvider);
    expect(openai.name).toBe('openai');
  });

  it('leaves the offline provider to its own module', () => {
    expect(() => createProvider('offline', { apiKey: '' })).toThrow(/offline/);
  });
});

describe('default models', () => {
  it('uses Claude Sonnet 4.5 to execute and improve, and Gemini 2.5 Pro to judge', () => {
    expect(DEFAULT_MODELS).toEqual({
      executor: 'claude-sonnet-4-6',
      improver: 'claude-sonnet-4-6',
      judge: 'gemini-2.5-pro',
    });
  });

  it.each([
    ['claude-sonnet-4-5', 'anthropic'],
    ['gemini-2.5-pro', 'gemini'],
    ['models/gemini-2.5-flash', 'gemini'],
    ['gpt-4o', 'openai'],
    ['gpt-4.1-mini-2025-04-14', 'openai'],
    ['o4-mini', 'openai'],
    ['llama3.2', undefined],
    ['openrouter/auto', undefined],
  ])('routes %s to %p', (model, provider) => {
    expect(providerForModel(model)).toBe(provider);
  });
});
