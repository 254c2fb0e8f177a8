import { GeminiProvider } from '../../src/providers';
import { replyByText, type FakeServer } from '../fakes/fake-server-core';
import { startFakeGemini } from '../fakes/fake-gemini';
import { MARKER_KEY, providerErrorOf } from './provider-cases';

const MODEL = 'gemini-2.5-pro';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

describe('GeminiProvider specifics', () => {
  let fake: FakeServer;
  let provider: GeminiProvider;

  beforeAll(async () => {
    fake = await startFakeGemini({
      respond: replyByText([
        { when: 'call A', reply: { status: 429, retryAfterSeconds: 7 } },
        { when: 'call B', reply: { status: 429, retryAfterSeconds: 3 } },
      ]),
    });
    provider = new GeminiProvider({ apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('calls POST /v1beta/models/{model}:generateContent with the generation settings', async () => {
    await provider.complete(MODEL, {
      system: 'Be a strict judge.',
      prompt: 'Score this.',
      maxTokens: 300,
      temperature: 0,
      json: true,
    });

    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/v1beta/models/${MODEL}:generateContent`, model: MODEL });
    expect(request?.body).toMatchObject({
      contents: [{ role: 'user', parts: [{ text: 'Score this.' }] }],
      systemInstruction: { parts: [{ text: 'Be a strict judge.' }] },
      generationConfig: { maxOutputTokens: 300, temperature: 0, responseMimeType: 'application/json' },
    });
  });

  it('accepts a model name with the models/ prefix', async () => {
    const result = await provider.complete(`models/${MODEL}`, { prompt: 'hi', maxTokens: 8 });

    expect(fake.requests[0]?.model).toBe(MODEL);
    expect(result.model).toBe(`models/${MODEL}`);
  });

  it('takes retryAfterMs from a google.rpc.RetryInfo detail when there is no retry-after header', async () => {
    fake.enqueue({
      status: 429,
      body: {
        error: {
          code: 429,
          message: 'Quota exceeded',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': RETRY_INFO, retryDelay: '3.5s' }],
        },
      },
    });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 3500 });
    expect(err.message).toContain('Quota exceeded');
  });

  it('prefers the retry-after header over RetryInfo', async () => {
    fake.enqueue({
      status: 429,
      retryAfterSeconds: 2,
      body: { error: { code: 429, message: 'slow down', details: [{ '@type': RETRY_INFO, retryDelay: '30s' }] } },
    });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err.retryAfterMs).toBe(2000);
  });

  it('keeps each concurrent call to its own retry-after', async () => {
    const [a, b] = await Promise.all([
      providerErrorOf(provider.complete(MODEL, { prompt: 'call A', maxTokens: 8 })),
      providerErrorOf(provider.complete(MODEL, { prompt: 'call B', maxTokens: 8 })),
    ]);

    expect(a.retryAfterMs).toBe(7000);
    expect(b.retryAfterMs).toBe(3000);
  });

  it('reports 400 API_KEY_INVALID, which is how Gemini rejects a bad key, as an auth error', async () => {
    fake.enqueue({
      status: 400,
      body: {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
        },
      },
    });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 400 });
    expect(err.message).toContain('check GEMINI_API_KEY');
  });

  it('counts thinking tokens as output and leaves thought parts out of the text', async () => {
    fake.enqueue({
      malformedBody: JSON.stringify({
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'pondering...', thought: true }, { text: '{"score": 4}' }] },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 10, thoughtsTokenCount: 90 },
      }),
    });

    const result = await provider.complete(MODEL, { prompt: 'hi', maxTokens: 500 });

    expect(result).toMatchObject({ text: '{"score": 4}', inputTokens: 100, outputTokens: 100, stopReason: 'STOP' });
  });

  it('returns a truncated answer with its MAX_TOKENS stop reason', async () => {
    fake.enqueue({
      malformedBody: JSON.stringify({
        candidates: [{ content: { role: 'model', parts: [{ text: 'The answer is' }] }, finishReason: 'MAX_TOKENS' }],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 8 },
      }),
    });

    const result = await provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 });

    expect(result).toMatchObject({ text: 'The answer is', stopReason: 'MAX_TOKENS' });
  });

  it.each([
    { label: 'a blocked prompt', body: { promptFeedback: { blockReason: 'SAFETY' } } },
    {
      label: 'a withheld answer',
      body: {
        candidates: [{ content: { role: 'model', parts: [] }, finishReason: 'SAFETY' }],
        usageMetadata: { promptTokenCount: 5 },
      },
    },
  ])('reports $label as content_filtered, not retryable', async ({ body }) => {
    fake.enqueue({ malformedBody: JSON.stringify(body) });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err).toMatchObject({ kind: 'content_filtered', retryable: false });
  });
});
