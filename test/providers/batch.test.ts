import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import {
  AnthropicProvider,
  BATCH_PRICE_FACTOR,
  createBatchProvider,
  estimateBatchCostUsd,
  estimateCostUsd,
  GeminiProvider,
  type BatchItem,
  type BatchItemOutcome,
} from '../../src/providers';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeGemini } from '../fakes/fake-gemini';
import type { FakeReply, FakeServer, RecordedRequest } from '../fakes/fake-server-core';
import { MARKER_KEY } from './provider-cases';

// The real SDKs against the fakes' batch endpoints: what the SDK sends must be what the fake parses, and what the
// fake answers must be what the SDK (and our adapters) read, including the answers the single-call path would give.

/** Answers "ANSWER(<q>)" for the question in the prompt, with fixed token counts so costs can be compared. */
const answer = (req: RecordedRequest): FakeReply => ({
  text: `ANSWER(${/Question: (.*)/.exec(req.text)?.[1] ?? ''})`,
  inputTokens: 120,
  outputTokens: 30,
});

const items: BatchItem[] = ['alpha', 'beta', 'gamma'].map((q, i) => ({
  customId: `r${i}`,
  request: { system: 'Answer briefly.', prompt: `Question: ${q}`, maxTokens: 64 },
}));

const byId = (outcomes: BatchItemOutcome[]) => new Map(outcomes.map((o) => [o.customId, o]));

describe('Anthropic Message Batches: SDK and fake agree on the wire', () => {
  const MODEL = 'claude-haiku-4-5';
  let fake: FakeServer;
  beforeAll(async () => (fake = await startFakeAnthropic({ respond: answer })));
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('creates a batch of Messages API params keyed by custom_id, as the SDK sends it', async () => {
    const batches = createBatchProvider('anthropic', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const id = await batches.submit(MODEL, items);

    const [create] = fake.requests;
    expect(create).toMatchObject({ method: 'POST', path: '/v1/messages/batches' });
    expect(create?.body).toEqual({
      requests: items.map((item) => ({
        custom_id: item.customId,
        params: {
          model: MODEL,
          max_tokens: 64,
          system: 'Answer briefly.',
          messages: [{ role: 'user', content: item.request.prompt }],
        },
      })),
    });
    expect(create?.headers.authorization ?? create?.headers['x-api-key']).toContain(MARKER_KEY);
    expect(id).toMatch(/^msgbatch_/);
    expect(fake.batchItems.map((i) => i.customId)).toEqual(['r0', 'r1', 'r2']);
  });

  it('stays in_progress for the configured polls, then ends with a results_url the SDK follows', async () => {
    fake.setBatchBehaviour({ pollsBeforeEnd: 2 });
    const client = new Anthropic({ apiKey: MARKER_KEY, baseURL: fake.baseUrl, maxRetries: 0 });
    const created = await client.messages.batches.create({
      requests: [
        {
          custom_id: 'only',
          params: { model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Question: q' }] },
        },
      ],
    });
    expect(created).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', results_url: null });

    const seen = [];
    for (let poll = 0; poll < 3; poll++)
      seen.push((await client.messages.batches.retrieve(created.id)).processing_status);
    expect(seen).toEqual(['in_progress', 'in_progress', 'ended']);

    const ended = await client.messages.batches.retrieve(created.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 1, errored: 0, canceled: 0, expired: 0 });
    expect(ended.results_url).toBe(`${fake.baseUrl}/v1/messages/batches/${created.id}/results`);

    const lines = [];
    for await (const line of await client.messages.batches.results(created.id)) lines.push(line);
    expect(lines).toEqual([
      {
        custom_id: 'only',
        result: {
          type: 'succeeded',
          message: expect.objectContaining({ type: 'message', content: [{ type: 'text', text: 'ANSWER(q)' }] }),
        },
      },
    ]);
    const download = fake.requests.at(-1);
    expect(download).toMatchObject({ method: 'GET', path: `/v1/messages/batches/${created.id}/results` });
    expect(download?.headers.accept).toBe('application/binary');
  });

  it('answers each item as the single call would, at the batch price', async () => {
    const batches = createBatchProvider('anthropic', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const single = new AnthropicProvider({ apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const id = await batches.submit(MODEL, items);
    expect(await batches.state(id)).toEqual({ ended: true, state: 'ended' });

    const outcomes = byId(await batches.results(id, MODEL));
    for (const item of items) {
      const direct = await single.complete(MODEL, item.request);
      const batched = outcomes.get(item.customId);
      expect(batched).toMatchObject({
        kind: 'succeeded',
        result: { text: direct.text, inputTokens: direct.inputTokens, outputTokens: direct.outputTokens },
      });
      if (batched?.kind !== 'succeeded') throw new Error('unreachable');
      expect(batched.result.costUsd).toBeCloseTo(direct.costUsd * BATCH_PRICE_FACTOR, 12);
    }
  });

  it('reports errored, expired and canceled items, and the responder’s errors, as failed items', async () => {
    fake.setBatchBehaviour({
      failItem: (req) => (req.text.includes('beta') ? 'expired' : req.text.includes('gamma') ? 'canceled' : undefined),
    });
    fake.enqueue({ status: 529, message: 'overloaded right now' });
    const batches = createBatchProvider('anthropic', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const outcomes = byId(await batches.results(await batches.submit(MODEL, items), MODEL));

    expect(outcomes.get('r0')).toEqual({
      customId: 'r0',
      kind: 'failed',
      reason: 'errored: overloaded_error: overloaded right now',
    });
    expect(outcomes.get('r1')).toEqual({ customId: 'r1', kind: 'failed', reason: 'expired' });
    expect(outcomes.get('r2')).toEqual({ customId: 'r2', kind: 'failed', reason: 'canceled' });
  });

  it('classifies an unknown batch as not_found, with the key nowhere in the error', async () => {
    const batches = createBatchProvider('anthropic', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const err = await batches.state('msgbatch_nope').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ProviderError', kind: 'not_found', retryable: false });
    expect(JSON.stringify(err)).not.toContain(MARKER_KEY);
  });
  it('lists batches newest first and pages on with after_id, as the SDK walks the list', async () => {
    const batches = createBatchProvider('anthropic', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await batches.submit(MODEL, items));
    const client = new Anthropic({ apiKey: MARKER_KEY, baseURL: fake.baseUrl, maxRetries: 0 });
    const listed: string[] = [];
    for await (const b of client.messages.batches.list({ limit: 2 })) listed.push(b.id);

    expect(listed).toEqual([...ids].reverse());
    const pages = fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/messages/batches');
    expect(pages).toHaveLength(3);
  });

  it('find: an ended batch is taken only when its results carry exactly the ids asked for', async () => {
    const batches = createBatchProvider('anthropic', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const since = new Date(Date.now() - 60_000).toISOString();
    const ours = await batches.submit(MODEL, items);
    const theirs = await batches.submit(
      MODEL,
      items.map((i, n) => ({ ...i, customId: `x${n}` })),
    );
    const search = {
      marker: 'r',
      customIds: items.map((i) => i.customId),
      displayName: 'unused',
      since,
      until: new Date(Date.now() + 60_000).toISOString(),
      exclude: new Set<string>(),
      adoptUnreadable: false,
    };
    expect(await batches.find(search)).toEqual({ kind: 'found', batchId: ours, verified: true });
    expect(await batches.find({ ...search, exclude: new Set([ours]) })).toEqual({ kind: 'none' });
    expect(await batches.find({ ...search, customIds: ['x0', 'x1', 'x2'] })).toMatchObject({ batchId: theirs });
    // Outside the window nothing matches.
    expect(await batches.find({ ...search, until: since })).toEqual({ kind: 'none' });
  });
});

describe('Gemini Batch Mode: SDK and fake agree on the wire', () => {
  const MODEL = 'gemini-2.5-flash';
  let fake: FakeServer;
  beforeAll(async () => (fake = await startFakeGemini({ respond: answer })));
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('creates a batch of inlined generateContent requests, ids in metadata, as the SDK sends it', async () => {
    const batches = createBatchProvider('gemini', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const name = await batches.submit(
      MODEL,
      items.map((i) => ({ ...i, request: { ...i.request, json: true } })),
      { displayName: 'run-1 chunk 0' },
    );

    const [create] = fake.requests;
    expect(create).toMatchObject({ method: 'POST', path: `/v1beta/models/${MODEL}:batchGenerateContent` });
    expect(create?.body).toEqual({
      batch: {
        displayName: 'run-1 chunk 0',
        inputConfig: {
          requests: {
            requests: items.map((item) => ({
              request: {
                contents: [{ role: 'user', parts: [{ text: item.request.prompt }] }],
                systemInstruction: { parts: [{ text: 'Answer briefly.' }], role: 'user' },
                generationConfig: { maxOutputTokens: 64, responseMimeType: 'application/json' },
              },
              metadata: { key: item.customId },
            })),
          },
        },
      },
    });
    expect(create?.headers['x-goog-api-key']).toBe(MARKER_KEY);
    expect(name).toMatch(/^batches\//);
    // The fake reads an item's prompt exactly as it reads a single call's, system instruction included.
    expect(fake.batchItems.map((i) => i.text)).toEqual(items.map((i) => `Answer briefly.\n${i.request.prompt}`));
  });

  it('is PENDING when created, RUNNING for the configured polls, then SUCCEEDED with inlined responses', async () => {
    fake.setBatchBehaviour({ pollsBeforeEnd: 2 });
    // A plain fetch, as the adapter passes: the SDK's default Undici dispatcher is not reachable under jest.
    const ai = new GoogleGenAI({
      apiKey: MARKER_KEY,
      vertexai: false,
      httpOptions: { baseUrl: fake.baseUrl, fetch: (input, init) => fetch(input, init) },
    });
    const created = await ai.batches.create({
      model: MODEL,
      src: [{ contents: [{ role: 'user', parts: [{ text: 'Question: q' }] }], metadata: { key: 'only' } }],
      config: { displayName: 'wire' },
    });
    expect(created).toMatchObject({ state: 'JOB_STATE_PENDING', model: `models/${MODEL}`, displayName: 'wire' });

    const states = [];
    for (let poll = 0; poll < 3; poll++) states.push((await ai.batches.get({ name: created.name! })).state);
    expect(states).toEqual(['JOB_STATE_RUNNING', 'JOB_STATE_RUNNING', 'JOB_STATE_SUCCEEDED']);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v1beta/${created.name}` });

    const done = await ai.batches.get({ name: created.name! });
    expect(done.dest?.inlinedResponses).toEqual([
      {
        metadata: { key: 'only' },
        response: expect.objectContaining({
          candidates: [expect.objectContaining({ content: { role: 'model', parts: [{ text: 'ANSWER(q)' }] } })],
        }),
      },
    ]);
  });

  it('answers each item as the single call would, at the batch price', async () => {
    const batches = createBatchProvider('gemini', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const single = new GeminiProvider({ apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const name = await batches.submit(MODEL, items);
    expect(await batches.state(name)).toEqual({ ended: true, state: 'JOB_STATE_SUCCEEDED' });

    const outcomes = byId(await batches.results(name, MODEL));
    for (const item of items) {
      const direct = await single.complete(MODEL, item.request);
      const batched = outcomes.get(item.customId);
      expect(batched).toMatchObject({
        kind: 'succeeded',
        result: { text: direct.text, inputTokens: direct.inputTokens, outputTokens: direct.outputTokens },
      });
      if (batched?.kind !== 'succeeded') throw new Error('unreachable');
      expect(batched.result.costUsd).toBe(estimateBatchCostUsd(MODEL, 120, 30));
      expect(batched.result.costUsd).toBeCloseTo(direct.costUsd * BATCH_PRICE_FACTOR, 12);
    }
  });

  it('reports item errors (injected or from the responder) as failed items, in request order', async () => {
    fake.setBatchBehaviour({ failItem: (req) => (req.text.includes('gamma') ? 'expired' : undefined) });
    fake.enqueue({ status: 429 });
    const batches = createBatchProvider('gemini', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const outcomes = await batches.results(await batches.submit(MODEL, items), MODEL);

    expect(outcomes.map((o) => [o.customId, o.index, o.kind])).toEqual([
      ['r0', 0, 'failed'],
      ['r1', 1, 'succeeded'],
      ['r2', 2, 'failed'],
    ]);
    expect(outcomes[0]).toMatchObject({ reason: 'error: fake gemini error 429' });
  });
  it('lists batches (Operations) page by page with pageToken; find matches the display name', async () => {
    const batches = createBatchProvider('gemini', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const names: string[] = [];
    for (let i = 0; i < 5; i++) names.push(await batches.submit(MODEL, items, { displayName: `chunk ${i}` }));
    const ai = new GoogleGenAI({
      apiKey: MARKER_KEY,
      vertexai: false,
      httpOptions: { baseUrl: fake.baseUrl, fetch: (input, init) => fetch(input, init) },
    });
    const listed: string[] = [];
    for await (const job of await ai.batches.list({ config: { pageSize: 2 } })) listed.push(job.name ?? '');
    expect(listed).toEqual([...names].reverse());
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1beta/batches')).toHaveLength(3);

    const search = {
      marker: 'm',
      customIds: items.map((i) => i.customId),
      displayName: 'chunk 3',
      since: new Date(Date.now() - 60_000).toISOString(),
      until: new Date(Date.now() + 60_000).toISOString(),
      exclude: new Set<string>(),
      adoptUnreadable: false,
    };
    expect(await batches.find(search)).toEqual({ kind: 'found', batchId: names[3], verified: true });
    expect(await batches.find({ ...search, displayName: 'chunk 9' })).toEqual({ kind: 'none' });
  });
});

describe('batch pricing', () => {
  it('is half the list price on both providers, long-context tier included', () => {
    expect(BATCH_PRICE_FACTOR).toBe(0.5);
    expect(estimateBatchCostUsd('claude-sonnet-4-6', 100_000, 100_000)).toBe(0.9);
    expect(estimateBatchCostUsd('gemini-2.5-pro', 300_000, 0)).toBe(estimateCostUsd('gemini-2.5-pro', 300_000, 0) / 2);
  });
});
