import { AnthropicProvider } from '../../src/providers';
import type { FakeServer } from '../fakes/fake-server-core';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { MARKER_KEY, providerErrorOf } from './provider-cases';

const MODEL = 'claude-haiku-4-5';

describe('AnthropicProvider specifics', () => {
  let fake: FakeServer;
  let provider: AnthropicProvider;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    provider = new AnthropicProvider({ apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('calls POST /v1/messages with the model, limits and prompt', async () => {
    await provider.complete(MODEL, { system: 'Be brief.', prompt: 'Rewrite this.', maxTokens: 400, temperature: 0.7 });

    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages', model: MODEL });
    expect(request?.body).toEqual({
      model: MODEL,
      max_tokens: 400,
      temperature: 0.7,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Rewrite this.' }],
    });
    expect(request?.headers['x-stainless-retry-count']).toBe('0');
  });

  it('asks for JSON through the system prompt, which the Messages API has no switch for', async () => {
    await provider.complete(MODEL, { prompt: 'Give a verdict.', maxTokens: 50, json: true });

    expect(fake.requests[0]?.body).toMatchObject({ system: expect.stringContaining('single valid JSON value') });
  });

  it('honours retry-after-ms before retry-after', async () => {
    fake.enqueue({ status: 429, retryAfterSeconds: 9, headers: { 'retry-after-ms': '1500' } });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err.retryAfterMs).toBe(1500);
  });

  it('honours a retry-after given as an HTTP date', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    fake.enqueue({ status: 529, headers: { 'retry-after': at } });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err).toMatchObject({ kind: 'overloaded', retryable: true });
    // HTTP dates have whole-second precision, and the request itself takes a moment.
    expect(err.retryAfterMs).toBeGreaterThan(55_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('counts prompt-cache tokens as input', async () => {
    fake.enqueue({
      malformedBody: JSON.stringify({
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text: 'cached' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0 },
      }),
    });

    const result = await provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 });

    expect(result).toMatchObject({ text: 'cached', inputTokens: 1010, outputTokens: 5, stopReason: 'end_turn' });
  });

  it('reports an empty refusal as content_filtered, not retryable', async () => {
    fake.enqueue({
      malformedBody: JSON.stringify({
        type: 'message',
        content: [],
        stop_reason: 'refusal',
        usage: { input_tokens: 10, output_tokens: 0 },
      }),
    });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err).toMatchObject({ kind: 'content_filtered', retryable: false });
  });
});
