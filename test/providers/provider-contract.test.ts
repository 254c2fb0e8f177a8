import { inspect } from 'node:util';
import { createProvider, estimateCostUsd, toActivityFailure, type Provider } from '../../src/providers';
import type { FakeReply, FakeServer, RecordedRequest, Responder } from '../fakes/fake-server-core';
import { MARKER_KEY, PROVIDER_CASES, providerErrorOf, providerFor } from './provider-cases';

describe.each(PROVIDER_CASES)('$name provider against its wire-compatible fake', (testCase) => {
  let fake: FakeServer;
  let provider: Provider;
  // Lets a test react to the request as it arrives, without the fake being restarted.
  let onRequest: Responder | undefined;
  const { model } = testCase;
  const ask = (prompt = 'Say hi', timeoutMs = 5_000) =>
    provider.complete(model, { prompt, maxTokens: 64 }, { timeoutMs });

  beforeAll(async () => {
    fake = await testCase.startFake({
      respond: (req: RecordedRequest) => (onRequest ?? (() => ({ text: 'ok' })))(req),
    });
    provider = providerFor(testCase, fake.baseUrl);
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    onRequest = undefined;
  });

  it('returns the text, usage tokens, cost and latency of a successful call', async () => {
    fake.enqueue({ text: 'Hello there', inputTokens: 1234, outputTokens: 567 });

    const result = await ask();

    expect(result).toMatchObject({
      text: 'Hello there',
      provider: testCase.name,
      model,
      inputTokens: 1234,
      outputTokens: 567,
      costUsd: estimateCostUsd(model, 1234, 567),
    });
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(fake.count()).toBe(1);
  });

  it('sends the model, system prompt, prompt and API key to the provider', async () => {
    await provider.complete(model, {
      system: 'You are terse.',
      prompt: 'Name a colour.',
      maxTokens: 32,
      temperature: 0.2,
    });

    const [request] = fake.requests;
    expect(request?.model).toBe(model);
    expect(request?.text).toContain('You are terse.');
    expect(request?.text).toContain('Name a colour.');
    expect(testCase.sentKey(request!.headers)).toBe(MARKER_KEY);
  });

  const failures: ReadonlyArray<{ reply: FakeReply; kind: string; retryable: boolean; status?: number }> = [
    { reply: { status: 429 }, kind: 'rate_limited', retryable: true, status: 429 },
    { reply: { status: 529 }, kind: 'overloaded', retryable: true, status: 529 },
    { reply: { status: 503 }, kind: 'overloaded', retryable: true, status: 503 },
    { reply: { status: 500 }, kind: 'server', retryable: true, status: 500 },
    { reply: { status: 502 }, kind: 'server', retryable: true, status: 502 },
    { reply: { status: 408 }, kind: 'timeout', retryable: true, status: 408 },
    { reply: { status: 409 }, kind: 'conflict', retryable: true, status: 409 },
    { reply: { status: 400 }, kind: 'bad_request', retryable: false, status: 400 },
    { reply: { status: 401 }, kind: 'auth', retryable: false, status: 401 },
    { reply: { status: 403 }, kind: 'permission_denied', retryable: false, status: 403 },
    { reply: { status: 404 }, kind: 'not_found', retryable: false, status: 404 },
    { reply: { malformedBody: '{"oops": tru' }, kind: 'malformed_response', retryable: true },
    { reply: { malformedBody: '{"unexpected": "shape"}' }, kind: 'malformed_response', retryable: true },
    { reply: { malformedBody: '[]' }, kind: 'malformed_response', retryable: true },
  ];

  it.each(failures)('classifies $reply as $kind (retryable: $retryable) after exactly one request', async (c) => {
    fake.enqueue(c.reply);

    const err = await providerErrorOf(ask());

    expect(err).toMatchObject({ provider: testCase.name, kind: c.kind, retryable: c.retryable, status: c.status });
    // More than one request would mean the SDK retried on its own, behind Temporal's back.
    expect(fake.count()).toBe(1);
  });

  it('turns retry-after: 2 on a 429 into retryAfterMs 2000', async () => {
    fake.enqueue({ status: 429, retryAfterSeconds: 2 });

    const err = await providerErrorOf(ask());

    expect(err).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 2000 });
    expect(fake.count()).toBe(1);
  });

  it('says which key to check when the API key is rejected', async () => {
    fake.enqueue({ status: 401, message: 'invalid x-api-key' });

    const err = await providerErrorOf(ask());

    expect(err.message).toContain(`${testCase.name} rejected the API key (401): check ${testCase.keyEnv}`);
  });

  it('says which model name to check when the model does not exist', async () => {
    fake.enqueue({ status: 404, message: `model: ${model} does not exist` });

    const err = await providerErrorOf(ask());

    expect(err.message).toContain(`model ${model} not found (404): check the --executor/--judge model name`);
  });

  it('gives up with a retryable timeout after exactly one request when the provider hangs past timeoutMs', async () => {
    fake.enqueue({ hangMs: 10_000 });

    const err = await providerErrorOf(ask('Say hi', 150));

    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect(err.message).toContain('within 150 ms');
    expect(fake.count()).toBe(1);
  });

  it('reports a cancel by the caller as cancelled, not as a timeout', async () => {
    const controller = new AbortController();
    onRequest = () => {
      controller.abort();
      return { hangMs: 10_000 };
    };

    const err = await providerErrorOf(
      provider.complete(model, { prompt: 'Say hi', maxTokens: 8 }, { signal: controller.signal, timeoutMs: 5_000 }),
    );

    expect(err).toMatchObject({ kind: 'cancelled', retryable: true });
  });

  it('reports an unreachable provider as a retryable network error', async () => {
    const closed = await testCase.startFake();
    const unreachable = providerFor(testCase, closed.baseUrl);
    await closed.close();

    const err = await providerErrorOf(unreachable.complete(model, { prompt: 'Say hi', maxTokens: 8 }));

    expect(err).toMatchObject({ kind: 'network', retryable: true });
  });

  if (testCase.keylessWithBaseUrl) {
    it('calls a base URL without a key (a local server) and refuses the public endpoint without one', async () => {
      const local = providerFor(testCase, fake.baseUrl, '');
      await expect(local.complete(model, { prompt: 'Say hi', maxTokens: 8 })).resolves.toMatchObject({ text: 'ok' });
      expect(fake.count()).toBe(1);

      const publicKeyless = createProvider(testCase.name, { apiKey: '' });
      const err = await providerErrorOf(publicKeyless.complete(model, { prompt: 'Say hi', maxTokens: 8 }));
      expect(err).toMatchObject({ kind: 'auth', retryable: false });
      expect(err.message).toContain(testCase.keyEnv);
    });
  } else {
    it('fails without a request when no API key is configured', async () => {
      const keyless = providerFor(testCase, fake.baseUrl, '');

      const err = await providerErrorOf(keyless.complete(model, { prompt: 'Say hi', maxTokens: 8 }));

      expect(err).toMatchObject({ kind: 'auth', retryable: false });
      expect(err.message).toContain(testCase.keyEnv);
      expect(fake.count()).toBe(0);
    });
  }

  describe('never leaks the API key', () => {
    const echoes: ReadonlyArray<{ label: string; reply: FakeReply }> = [
      { label: '401 echoing the key', reply: { status: 401, message: `invalid api key ${MARKER_KEY}` } },
      { label: '400 echoing the key', reply: { status: 400, message: `bad request for key=${MARKER_KEY}` } },
      { label: '429 echoing the key', reply: { status: 429, retryAfterSeconds: 1, message: `quota of ${MARKER_KEY}` } },
      { label: '500 echoing the key', reply: { status: 500, message: `internal error ${MARKER_KEY}` } },
      { label: 'invalid JSON echoing the key', reply: { malformedBody: `not json ${MARKER_KEY}` } },
      { label: 'hang', reply: { hangMs: 10_000 } },
    ];

    it.each(echoes)('in errors or activity failures for a $label', async ({ reply }) => {
      fake.enqueue(reply);

      const err = await providerErrorOf(ask('Say hi', 300));
      const failure = toActivityFailure(err);

      expect(testCase.sentKey(fake.requests[0]!.headers)).toBe(MARKER_KEY);
      for (const surface of [
        err.message,
        err.stack ?? '',
        JSON.stringify(err),
        inspect(err, { depth: 10 }),
        failure.message,
        failure.stack ?? '',
        JSON.stringify(failure.details),
        inspect(failure, { depth: 10 }),
      ]) {
        expect(surface).not.toContain(MARKER_KEY);
      }
    });
  });

  describe('toActivityFailure', () => {
    it('maps a 429 with retry-after to a retryable ProviderRetryable failure with nextRetryDelay', async () => {
      fake.enqueue({ status: 429, retryAfterSeconds: 2 });

      const failure = toActivityFailure(await providerErrorOf(ask()));

      expect(failure.type).toBe('ProviderRetryable');
      expect(failure.nonRetryable).toBe(false);
      expect(failure.nextRetryDelay).toBe(2000);
      expect(failure.details).toEqual([{ provider: testCase.name, status: 429, kind: 'rate_limited' }]);
    });

    it('maps a 401 to a non-retryable ProviderRejected failure', async () => {
      fake.enqueue({ status: 401 });

      const failure = toActivityFailure(await providerErrorOf(ask()));

      expect(failure.type).toBe('ProviderRejected');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.nextRetryDelay).toBeUndefined();
      expect(failure.message).toContain(`check ${testCase.keyEnv}`);
      expect(failure.details).toEqual([{ provider: testCase.name, status: 401, kind: 'auth' }]);
    });
  });
});
