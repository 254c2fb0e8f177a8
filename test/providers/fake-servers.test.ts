import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeGemini } from '../fakes/fake-gemini';
import { startFakeOpenAI } from '../fakes/fake-openai';
import { replyByText, type FakeServer } from '../fakes/fake-server-core';

async function postJson(url: string, body: unknown): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

const anthropicBody = (text: string) => ({
  model: 'claude-haiku-4-5',
  max_tokens: 10,
  system: 'sys',
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
});

describe('fake Anthropic server', () => {
  let fake: FakeServer;
  const url = () => `${fake.baseUrl}/v1/messages`;

  beforeAll(async () => {
    fake = await startFakeAnthropic({
      respond: replyByText([{ when: /^sys\nroute me$/, reply: { text: 'routed', outputTokens: 2 } }]),
    });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('serves scripted replies in order, then the responder, then an echo', async () => {
    fake.enqueue([{ text: 'first' }, { text: 'second' }]);

    const texts = [];
    for (const prompt of ['a', 'b', 'route me', 'echo me']) {
      const { json } = await postJson(url(), anthropicBody(prompt));
      texts.push((json as { content: Array<{ text: string }> }).content[0]?.text);
    }

    expect(texts).toEqual(['first', 'second', 'routed', 'fake reply to: sys\necho me']);
  });

  it('answers in the Messages API format, estimating tokens when not scripted', async () => {
    const { status, json } = await postJson(url(), anthropicBody('x'.repeat(40)));

    expect(status).toBe(200);
    expect(json).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 11, output_tokens: expect.any(Number) },
    });
  });

  it('answers errors in the Anthropic error format with retry-after', async () => {
    fake.enqueue({ status: 429, message: 'slow down', retryAfterSeconds: 3 });

    const { status, headers, json } = await postJson(url(), anthropicBody('hi'));

    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('3');
    expect(json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
  });

  it('records requests with their model and text, and counts them', async () => {
    await postJson(url(), anthropicBody('one'));
    await postJson(url(), { ...anthropicBody('two'), model: 'claude-opus-4-1' });

    expect(fake.requests.map((r) => [r.method, r.path, r.model, r.text])).toEqual([
      ['POST', '/v1/messages', 'claude-haiku-4-5', 'sys\none'],
      ['POST', '/v1/messages', 'claude-opus-4-1', 'sys\ntwo'],
    ]);
    expect(fake.count()).toBe(2);
    expect(fake.count((r) => r.model === 'claude-opus-4-1')).toBe(1);
  });

  it('answers unknown paths with a 404 in the provider format', async () => {
    const { status, json } = await postJson(`${fake.baseUrl}/v1/complete`, {});

    expect(status).toBe(404);
    expect(json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});

describe('fake Gemini server', () => {
  it('answers generateContent in the Gemini format and errors in the Google format', async () => {
    const fake = await startFakeGemini();
    try {
      fake.enqueue([{ text: 'bonjour', inputTokens: 3, outputTokens: 1 }, { status: 503 }]);
      const url = `${fake.baseUrl}/v1beta/models/gemini-2.5-flash:generateContent`;
      const body = { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] };

      const ok = await postJson(url, body);
      const failed = await postJson(url, body);

      expect(ok.json).toEqual({
        candidates: [{ content: { role: 'model', parts: [{ text: 'bonjour' }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 },
        modelVersion: 'gemini-2.5-flash',
        responseId: expect.any(String),
      });
      expect(failed).toMatchObject({ status: 503, json: { error: { code: 503, status: 'UNAVAILABLE' } } });
      expect(fake.requests[0]).toMatchObject({ model: 'gemini-2.5-flash', text: 'hello' });
    } finally {
      await fake.close();
    }
  });
});

describe('fake OpenAI server', () => {
  it('answers Chat Completions in the OpenAI format, errors with their code, and records system and user text', async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.enqueue([
        { text: 'bonjour', inputTokens: 3, outputTokens: 1 },
        { status: 429, retryAfterSeconds: 2 },
        { status: 429, errorType: 'insufficient_quota', message: 'quota' },
      ]);
      const url = `${fake.baseUrl}/chat/completions`;
      const body = {
        model: 'gpt-4.1-mini',
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'user', content: [{ type: 'text', text: 'hello' }] },
        ],
      };

      const ok = await postJson(url, body);
      const limited = await postJson(url, body);
      const broke = await postJson(url, body);

      expect(ok.json).toMatchObject({
        object: 'chat.completion',
        model: 'gpt-4.1-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'bonjour' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      });
      expect(limited.headers.get('retry-after')).toBe('2');
      expect(limited.json).toEqual({
        error: { message: 'fake openai error 429', type: 'requests', param: null, code: 'rate_limit_exceeded' },
      });
      expect(broke.json).toMatchObject({ error: { type: 'insufficient_quota', code: 'insufficient_quota' } });
      expect(fake.requests[0]).toMatchObject({
        path: '/v1/chat/completions',
        model: 'gpt-4.1-mini',
        text: 'sys\nhello',
      });
    } finally {
      await fake.close();
    }
  });

  it('refuses a json_schema response_format without a schema, as the API does, before any reply is used', async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.enqueue({ text: 'kept for the next valid request' });
      const refused = await postJson(`${fake.baseUrl}/chat/completions`, {
        model: 'gpt-4.1',
        messages: [{ role: 'user', content: 'hi' }],
        response_format: { type: 'json_schema', json_schema: { name: 'verdict' } },
      });

      expect(refused).toMatchObject({
        status: 400,
        json: { error: { type: 'invalid_request_error', message: expect.stringContaining('json_schema.schema') } },
      });
      const next = await postJson(`${fake.baseUrl}/chat/completions`, {
        model: 'gpt-4.1',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(next.json).toMatchObject({ choices: [{ message: { content: 'kept for the next valid request' } }] });
    } finally {
      await fake.close();
    }
  });
});

describe('fake server timing', () => {
  it('adds latencyMs to every reply', async () => {
    const fake = await startFakeGemini({ latencyMs: 120 });
    try {
      const started = performance.now();
      await postJson(`${fake.baseUrl}/v1beta/models/m:generateContent`, { contents: [] });

      expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    } finally {
      await fake.close();
    }
  });

  it('closes promptly while a reply is still hanging', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const fake = await startFakeAnthropic({
      respond: () => {
        arrived();
        return { hangMs: 60_000 };
      },
    });
    const pending = postJson(`${fake.baseUrl}/v1/messages`, anthropicBody('hang'));
    await requestArrived;

    const started = performance.now();
    await fake.close();

    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
  });
});

describe('serve.ts', () => {
  it('starts the fakes in their own process and prints their base URLs as JSON', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['test/fakes/serve.ts', '--latency-ms', '5'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', () => reject(new Error('serve.ts exited before printing its URLs')));
      });
      const urls = JSON.parse(firstLine) as { anthropic: string; gemini: string; openai: string; latencyMs: number };

      expect(urls).toEqual({
        anthropic: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        gemini: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        openai: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1$/),
        latencyMs: 5,
      });
      const claude = await postJson(`${urls.anthropic}/v1/messages`, anthropicBody('ping'));
      const gemini = await postJson(`${urls.gemini}/v1beta/models/gemini-2.5-pro:generateContent`, { contents: [] });
      const gpt = await postJson(`${urls.openai}/chat/completions`, {
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: 'ping' }],
      });
      expect([claude.status, gemini.status, gpt.status]).toEqual([200, 200, 200]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
