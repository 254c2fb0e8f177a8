import OpenAI from 'openai';
import { OpenAIProvider } from '../../src/providers';
import { openaiChatParams } from '../../src/providers/openai';
import type { FakeServer } from '../fakes/fake-server-core';
import { startFakeOpenAI } from '../fakes/fake-openai';
import { MARKER_KEY, providerErrorOf } from './provider-cases';

const MODEL = 'gpt-4.1-mini';

describe('OpenAIProvider specifics', () => {
  let fake: FakeServer;
  let provider: OpenAIProvider;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    provider = new OpenAIProvider({ apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('calls POST /v1/chat/completions with system and user messages, max_tokens and temperature', async () => {
    await provider.complete(MODEL, { system: 'Be brief.', prompt: 'Rewrite this.', maxTokens: 400, temperature: 0.7 });

    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions', model: MODEL });
    expect(request?.body).toEqual({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Rewrite this.' },
      ],
      max_tokens: 400,
      temperature: 0.7,
    });
    // SDK retries are off: Temporal owns retrying.
    expect(request?.headers['x-stainless-retry-count']).toBe('0');
  });

  it('asks for a JSON object, with the word JSON in the messages as the API requires', async () => {
    fake.enqueue({ text: '{"verdict":"pass"}' });

    const result = await provider.complete(MODEL, { prompt: 'Give a verdict.', maxTokens: 50, json: true });

    expect(result.text).toBe('{"verdict":"pass"}');
    expect(fake.requests[0]?.body).toMatchObject({
      response_format: { type: 'json_object' },
      messages: [{ role: 'system', content: expect.stringContaining('JSON') }, { role: 'user' }],
    });
  });

  it('asks for structured output through response_format json_schema when the request carries a schema', async () => {
    const schema = {
      type: 'object',
      properties: { score: { type: 'number' } },
      required: ['score'],
      additionalProperties: false,
    };
    await provider.complete(MODEL, {
      prompt: 'Score it.',
      maxTokens: 50,
      json: true,
      jsonSchema: { name: 'score', schema },
    });

    expect(fake.requests[0]?.body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'score', schema, strict: true } },
    });
  });

  it('is refused by the fake as by the API when json_object mode lacks the word JSON', async () => {
    const sdk = new OpenAI({ apiKey: MARKER_KEY, baseURL: fake.baseUrl, maxRetries: 0 });

    await expect(
      sdk.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hello' }],
        response_format: { type: 'json_object' },
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining("must contain the word 'json'") });
  });

  it("sends OpenAI's own endpoint max_completion_tokens, and no temperature to reasoning models", () => {
    const req = { prompt: 'x', maxTokens: 300, temperature: 0.2 };

    expect(openaiChatParams('gpt-4.1', req, undefined)).toMatchObject({ max_completion_tokens: 300, temperature: 0.2 });
    expect(openaiChatParams('o4-mini', req, 'https://api.openai.com/v1/')).not.toHaveProperty('temperature');
    expect(openaiChatParams('o4-mini', req, undefined)).not.toHaveProperty('max_tokens');
    expect(openaiChatParams('llama3.2', req, 'http://localhost:11434/v1')).toMatchObject({ max_tokens: 300 });
  });

  it('reports an exhausted quota (429 insufficient_quota) as a billing problem, not a rate limit to wait out', async () => {
    fake.enqueue({ status: 429, errorType: 'insufficient_quota', message: 'You exceeded your current quota' });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err).toMatchObject({ kind: 'permission_denied', retryable: false, status: 429 });
    expect(err.message).toContain('billing');
  });

  it('honours retry-after-ms before retry-after', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '9' } });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err.retryAfterMs).toBe(1500);
  });

  it('reports a refusal as content_filtered', async () => {
    fake.enqueue({
      malformedBody: JSON.stringify({
        choices: [
          { index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot help' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 3 },
      }),
    });

    const err = await providerErrorOf(provider.complete(MODEL, { prompt: 'hi', maxTokens: 8 }));

    expect(err).toMatchObject({ kind: 'content_filtered', retryable: false });
  });

  it('estimates output tokens when a compatible server sends no usage', async () => {
    fake.enqueue({
      malformedBody: JSON.stringify({
        choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(40) }, finish_reason: 'stop' }],
      }),
    });

    const result = await provider.complete(MODEL, { prompt: 'hi', maxTokens: 20 });

    expect(result).toMatchObject({ text: 'x'.repeat(40), inputTokens: 0, outputTokens: 10, stopReason: 'stop' });
  });

  it('sends a placeholder bearer, never an environment key, to a keyless local server', async () => {
    const previous = process.env['OPENAI_API_KEY'];
    process.env['OPENAI_API_KEY'] = 'sk-from-the-environment-000000000000';
    try {
      const local = new OpenAIProvider({ apiKey: '', baseUrl: fake.baseUrl });
      await local.complete('llama3.2', { prompt: 'hi', maxTokens: 8 });
    } finally {
      if (previous === undefined) delete process.env['OPENAI_API_KEY'];
      else process.env['OPENAI_API_KEY'] = previous;
    }

    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-no-key-required');
  });
});

describe('fake OpenAI server: tool calls with the official SDK', () => {
  let fake: FakeServer;
  let sdk: OpenAI;
  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: 'function',
      function: {
        name: 'read_file',
        description: 'Reads a file of the skill',
        parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      },
    },
  ];

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    sdk = new OpenAI({ apiKey: MARKER_KEY, baseURL: fake.baseUrl, maxRetries: 0 });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('answers a scripted tool call, takes the tool result back and answers in text', async () => {
    fake.enqueue([
      { toolCalls: [{ name: 'read_file', arguments: { path: 'SKILL.md' }, id: 'call_1' }] },
      { text: 'The skill says hello.' },
    ]);
    const first = await sdk.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'What does the skill say?' }],
      tools,
    });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { content: null } });
    expect(call).toMatchObject({ id: 'call_1', type: 'function' });
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ path: 'SKILL.md' });

    const second = await sdk.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'user', content: 'What does the skill say?' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: 'call_1', content: 'hello from SKILL.md' },
      ],
      tools,
    });

    expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'The skill says hello.' } });
    // The tool result is part of the request text, so responders can route on it.
    expect(fake.requests[1]?.text).toContain('hello from SKILL.md');
    expect(fake.requests[1]?.body).toMatchObject({ tools: [{ type: 'function', function: { name: 'read_file' } }] });
  });

  it('refuses a tool result that answers no earlier call, as the API does', async () => {
    await expect(
      sdk.chat.completions.create({
        model: MODEL,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'tool', tool_call_id: 'call_unknown', content: 'x' },
        ],
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining("role 'tool'") });
    expect(fake.requests[0]?.delivered).toBeUndefined();
  });
});
