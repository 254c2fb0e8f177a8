import OpenAI, { toFile } from 'openai';
import {
  BATCH_PRICE_FACTOR,
  createBatchProvider,
  estimateBatchCostUsd,
  OpenAIProvider,
  type BatchItem,
  type BatchItemOutcome,
} from '../../src/providers';
import { startFakeOpenAI } from '../fakes/fake-openai';
import type { FakeReply, FakeServer, RecordedRequest } from '../fakes/fake-server-core';
import { MARKER_KEY } from './provider-cases';

// The real SDK against the fake's Batch API: files upload, batches, file content, as batch.test.ts does for the others.

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

describe('OpenAI Batch API: SDK and fake agree on the wire', () => {
  const MODEL = 'gpt-4.1-mini';
  let fake: FakeServer;
  beforeAll(async () => (fake = await startFakeOpenAI({ respond: answer })));
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('uploads the requests as a JSONL file and creates a batch over it, the display name in metadata', async () => {
    const batches = createBatchProvider('openai', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const id = await batches.submit(
      MODEL,
      items.map((i) => ({ ...i, request: { ...i.request, json: true } })),
      { displayName: 'run-1 chunk 0' },
    );

    const [upload, create] = fake.requests;
    expect(upload).toMatchObject({ method: 'POST', path: '/v1/files' });
    expect(String(upload?.headers['content-type'])).toMatch(/^multipart\/form-data/);
    expect(upload?.headers.authorization).toBe(`Bearer ${MARKER_KEY}`);
    expect(create).toMatchObject({ method: 'POST', path: '/v1/batches' });
    expect(create?.body).toEqual({
      input_file_id: expect.stringMatching(/^file-/),
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { refinery: 'run-1 chunk 0' },
    });
    expect(id).toMatch(/^batch_/);
    // Each line's body is the single call's params; the fake reads its prompt as it reads a single call's.
    expect(fake.batchItems.map((i) => i.customId)).toEqual(['r0', 'r1', 'r2']);
    expect(fake.batchItems[0]?.body).toMatchObject({
      model: MODEL,
      max_tokens: 64,
      response_format: { type: 'json_object' },
    });
    expect(fake.batchItems.map((i) => i.text)).toEqual(
      items.map((i) => expect.stringMatching(new RegExp(`^Answer briefly\\.\\n[^]*JSON[^]*\\n${i.request.prompt}$`))),
    );
  });

  it('is validating, then in_progress for the configured polls, then completed with an output file', async () => {
    fake.setBatchBehaviour({ pollsBeforeEnd: 2 });
    const sdk = new OpenAI({ apiKey: MARKER_KEY, baseURL: fake.baseUrl, maxRetries: 0 });
    const line = {
      custom_id: 'only',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Question: q' }] },
    };
    const file = await sdk.files.create({
      file: await toFile(Buffer.from(`${JSON.stringify(line)}\n`), 'in.jsonl'),
      purpose: 'batch',
    });
    const created = await sdk.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(created).toMatchObject({ object: 'batch', status: 'validating', output_file_id: null });

    const seen = [];
    for (let poll = 0; poll < 3; poll++) seen.push((await sdk.batches.retrieve(created.id)).status);
    expect(seen).toEqual(['in_progress', 'in_progress', 'completed']);

    const done = await sdk.batches.retrieve(created.id);
    expect(done.request_counts).toEqual({ total: 1, completed: 1, failed: 0 });
    expect(done.error_file_id).toBeNull();
    const content = await (await sdk.files.content(done.output_file_id!)).text();
    expect(JSON.parse(content.trim())).toEqual({
      id: expect.any(String),
      custom_id: 'only',
      response: {
        status_code: 200,
        request_id: expect.any(String),
        body: expect.objectContaining({
          object: 'chat.completion',
          choices: [expect.objectContaining({ message: expect.objectContaining({ content: 'ANSWER(q)' }) })],
        }),
      },
      error: null,
    });
  });

  it('answers each item as the single call would, at the batch price', async () => {
    const batches = createBatchProvider('openai', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const single = new OpenAIProvider({ apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const id = await batches.submit(MODEL, items);
    expect(await batches.state(id)).toEqual({ ended: true, state: 'completed' });

    const outcomes = byId(await batches.results(id, MODEL));
    for (const item of items) {
      const direct = await single.complete(MODEL, item.request);
      const batched = outcomes.get(item.customId);
      expect(batched).toMatchObject({
        kind: 'succeeded',
        result: { text: direct.text, provider: 'openai', inputTokens: 120, outputTokens: 30, latencyMs: 0 },
      });
      if (batched?.kind !== 'succeeded') throw new Error('unreachable');
      expect(batched.result.costUsd).toBe(estimateBatchCostUsd(MODEL, 120, 30));
      expect(batched.result.costUsd).toBeCloseTo(direct.costUsd * BATCH_PRICE_FACTOR, 12);
    }
  });

  it('reads failed, expired and cancelled items from the error file', async () => {
    fake.setBatchBehaviour({
      failItem: (req) => (req.text.includes('beta') ? 'expired' : req.text.includes('gamma') ? 'canceled' : undefined),
    });
    fake.enqueue({ status: 500, message: `server trouble for ${MARKER_KEY}` });
    const batches = createBatchProvider('openai', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const outcomes = byId(await batches.results(await batches.submit(MODEL, items), MODEL));

    expect(outcomes.get('r0')).toEqual({
      customId: 'r0',
      kind: 'failed',
      reason: 'HTTP 500: server_error: server trouble for [redacted]',
    });
    expect(outcomes.get('r1')).toMatchObject({
      customId: 'r1',
      kind: 'failed',
      reason: expect.stringMatching(/^batch_expired: /),
    });
    expect(outcomes.get('r2')).toMatchObject({
      customId: 'r2',
      kind: 'failed',
      reason: expect.stringMatching(/^batch_cancelled: /),
    });
  });

  it('classifies an unknown batch as not_found and a poll outage as retryable, the key nowhere in the error', async () => {
    const batches = createBatchProvider('openai', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const missing = await batches.state('batch_nope').catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'ProviderError', kind: 'not_found', retryable: false });
    expect(JSON.stringify(missing)).not.toContain(MARKER_KEY);

    const id = await batches.submit(MODEL, items);
    fake.setBatchBehaviour({ unavailablePolls: 1 });
    await expect(batches.state(id)).rejects.toMatchObject({ kind: 'overloaded', retryable: true, status: 503 });
    await expect(batches.state(id)).resolves.toEqual({ ended: true, state: 'completed' });
  });

  it('lists batches newest first with the after cursor; find matches the display name in metadata', async () => {
    const batches = createBatchProvider('openai', { apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await batches.submit(MODEL, items, { displayName: `chunk ${i}` }));
    const sdk = new OpenAI({ apiKey: MARKER_KEY, baseURL: fake.baseUrl, maxRetries: 0 });
    const listed: string[] = [];
    for await (const b of sdk.batches.list({ limit: 2 })) listed.push(b.id);
    expect(listed).toEqual([...ids].reverse());
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/batches')).toHaveLength(3);

    const search = {
      marker: 'm',
      customIds: items.map((i) => i.customId),
      displayName: 'chunk 3',
      since: new Date(Date.now() - 60_000).toISOString(),
      until: new Date(Date.now() + 60_000).toISOString(),
      exclude: new Set<string>(),
      adoptUnreadable: false,
    };
    expect(await batches.find(search)).toEqual({ kind: 'found', batchId: ids[3], verified: true });
    expect(await batches.find({ ...search, exclude: new Set([ids[3]!]) })).toEqual({ kind: 'none' });
    expect(await batches.find({ ...search, displayName: 'chunk 9' })).toEqual({ kind: 'none' });
  });
});
