import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createResolver, promptSpanAttributes, type Resolver } from '../../src/resolver';
import { describeEachStore, type StoreBackend } from '../support/store-backends';
import { ADMIN, apiHarness, type ApiHarness } from './api-harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const otlpRoot = require('@opentelemetry/otlp-transformer/build/src/generated/root');
const TraceResponse = otlpRoot.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

// One context manager for the file: startActiveSpan on any provider's tracer then sets the active span
// the resolver annotates. Registered before any test, left for the process (jest isolates test files).
const contextProvider = new NodeTracerProvider();
contextProvider.register();

interface StoredRun {
  id: string;
  name: string;
  version: number;
  model: string | null;
  latency_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  error: string | null;
}

describeEachStore('OTLP GenAI spans become runs', (backend) => {
  // Nested, so this afterAll (closing the resolver's long poll and the API) runs before the store is closed.
  describe('from the real OpenTelemetry SDK', () => tests(backend));
});

function tests(backend: StoreBackend): void {
  let h: ApiHarness;
  let resolver: Resolver;
  beforeAll(async () => {
    h = await apiHarness(() => backend.open());
    await h.call('PUT', '/v1/library/greeting/labels/production', ADMIN, { version: 2, reason: 'launch' });
    resolver = createResolver({ baseUrl: h.api.url, token: h.tokens.writer, refreshIntervalMs: 0 });
  });
  afterAll(async () => {
    await resolver.close();
    await h.close();
  });

  const runs = async (): Promise<StoredRun[]> =>
    (
      await h.db.all<StoredRun>(
        'SELECT id, name, version, model, latency_ms, input_tokens, output_tokens, error FROM prompt_runs ORDER BY id',
      )
    ).map((r) => ({
      ...r,
      version: Number(r.version),
      latency_ms: r.latency_ms === null ? null : Number(r.latency_ms),
      input_tokens: r.input_tokens === null ? null : Number(r.input_tokens),
      output_tokens: r.output_tokens === null ? null : Number(r.output_tokens),
    }));

  /**
   * A provider exporting with `exporter` to the API in batches (as applications do: a request's spans go
   * out together), and keeping every span for the raw-request checks.
   */
  function provider(exporter: SpanExporter) {
    const memory = new InMemorySpanExporter();
    const p = new BasicTracerProvider();
    p.addSpanProcessor(new BatchSpanProcessor(exporter));
    p.addSpanProcessor(new SimpleSpanProcessor(memory));
    return { tracer: p.getTracer('app', '1.0.0'), memory, flush: () => p.forceFlush(), shutdown: () => p.shutdown() };
  }

  const exporterOptions = () => ({
    url: `${h.api.url}/v1/traces`,
    headers: { authorization: `Bearer ${h.tokens.writer}` },
  });

  /**
   * What an instrumented application does: resolve inside a span, call the model in a GenAI span (the
   * resolver annotates the active span), plus spans that are not runs.
   */
  async function traffic(tracer: Tracer, model: string): Promise<void> {
    const genai = (operation: string, extra: Record<string, string | number> = {}) => ({
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': operation,
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': model,
        ...extra,
      },
    });
    // 1. Resolved inside the model-call span itself.
    await tracer.startActiveSpan(`chat ${model}`, genai('chat'), async (span) => {
      await resolver.get('greeting');
      span.setAttributes({
        'gen_ai.response.model': `${model}-2025-01-01`,
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 30,
      });
      span.end();
    });
    // 2. Resolved in the request's span; the instrumented call is its child, and it failed.
    await tracer.startActiveSpan('POST /answer', async (parent) => {
      await resolver.get('greeting', { label: 'latest' });
      const child = tracer.startSpan(`chat ${model}`, genai('chat', { 'error.type': '429' }));
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
      child.end();
      parent.end();
    });
    // 3. Not runs: an embeddings call naming a prompt, and a chat call that names none.
    const resolved = await resolver.get('greeting');
    tracer
      .startSpan(`embeddings ${model}`, {
        attributes: { ...genai('embeddings').attributes, ...promptSpanAttributes(resolved) },
      })
      .end();
    tracer.startSpan(`chat ${model}`, genai('chat')).end();
  }

  function expectRuns(stored: StoredRun[], spans: ReadableSpan[], model: string) {
    const id = (s: ReadableSpan) => `otel-${s.spanContext().traceId}-${s.spanContext().spanId}`;
    const chats = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(stored.find((r) => r.id === id(chats[0]!))).toMatchObject({
      name: 'greeting',
      version: 2,
      model: `${model}-2025-01-01`,
      input_tokens: 120,
      output_tokens: 30,
      error: null,
    });
    expect(stored.find((r) => r.id === id(chats[1]!))).toMatchObject({
      name: 'greeting',
      version: 2,
      model,
      input_tokens: null,
      error: '429: rate limited',
    });
    expect(stored.find((r) => r.id === id(chats[2]!))).toBeUndefined();
    for (const r of stored) expect(r.latency_ms).toBeGreaterThanOrEqual(0);
  }

  test('the OTLP/HTTP JSON exporter: model, tokens, latency and error per run; other spans skipped and counted', async () => {
    const before = await runs();
    const app = provider(new JsonExporter(exporterOptions()));
    await traffic(app.tracer, 'gpt-4o');
    await app.flush();
    const spans = app.memory.getFinishedSpans();
    // The resolver set the prompt attributes on the span active when it resolved.
    expect(spans.find((s) => s.name === 'POST /answer')!.attributes).toMatchObject({
      'refinery.prompt.name': 'greeting',
      'refinery.prompt.version': 2,
      'refinery.prompt.label': 'latest',
    });
    const stored = (await runs()).filter((r) => !before.some((b) => b.id === r.id));
    expect(stored).toHaveLength(2);
    expectRuns(stored, spans, 'gpt-4o');

    // The same export again, gzipped, as a retrying exporter sends it: stored once, the skipped spans counted.
    const res = await fetch(`${h.api.url}/v1/traces`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${h.tokens.writer}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync(JsonTraceSerializer.serializeRequest(spans)!),
    });
    const again = { status: res.status, body: (await res.json()) as { partialSuccess: { errorMessage: string } } };
    expect(again.status).toBe(200);
    expect(again.body.partialSuccess).toMatchObject({ rejectedSpans: 3 });
    expect(again.body.partialSuccess.errorMessage).toContain(
      '1 GenAI spans naming no prompt: set refinery.prompt.name',
    );
    expect(again.body.partialSuccess.errorMessage).toContain('1 GenAI spans of an operation that is not a run');
    expect(again.body.partialSuccess.errorMessage).toContain('1 not GenAI spans');
    expect(await runs()).toHaveLength(before.length + 2);
    await app.shutdown();
  });

  test('the OTLP/HTTP protobuf exporter stores the same runs, and gets partial success in protobuf', async () => {
    const before = await runs();
    const app = provider(new ProtoExporter(exporterOptions()));
    await traffic(app.tracer, 'claude-sonnet');
    await app.flush();
    const spans = app.memory.getFinishedSpans();
    const stored = (await runs()).filter((r) => !before.some((b) => b.id === r.id));
    expect(stored).toHaveLength(2);
    expectRuns(stored, spans, 'claude-sonnet');

    const res = await fetch(`${h.api.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.writer}`, 'content-type': 'application/x-protobuf' },
      body: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const decoded = TraceResponse.toObject(TraceResponse.decode(Buffer.from(await res.arrayBuffer())), {
      longs: Number,
    });
    expect(decoded.partialSuccess.rejectedSpans).toBe(3);
    await app.shutdown();
  });

  describe('a bad request is refused whole: problem+json naming the problem and the fix, nothing stored', () => {
    /** Real spans of one chat call resolved inside it, plus one more good span, then `spoil` on the encoded request. */
    async function spans(): Promise<ReadableSpan[]> {
      const app = provider(new InMemorySpanExporter());
      await app.tracer.startActiveSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } }, async (s) => {
        await resolver.get('greeting');
        s.end();
      });
      app.tracer
        .startSpan('chat m', {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'refinery.prompt.name': 'greeting',
            'refinery.prompt.version': 1,
          },
        })
        .end();
      return app.memory.getFinishedSpans();
    }
    const json = (s: ReadableSpan[]) =>
      JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(s)!).toString('utf8'));

    async function refused(body: unknown, headers: Record<string, string> = {}) {
      const before = (await runs()).length;
      const res = await h.call(
        'POST',
        '/v1/traces',
        h.tokens.writer,
        typeof body === 'string' ? body : JSON.stringify(body),
        headers,
      );
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await runs()).length).toBe(before);
      return res;
    }

    test('a span whose prompt version is not a positive integer, beside a good one', async () => {
      const body = json(await spans());
      const second = body.resourceSpans[0].scopeSpans[0].spans[1];
      second.attributes.find((a: { key: string }) => a.key === 'refinery.prompt.version').value = { stringValue: 'v1' };
      const res = await refused(body);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('resourceSpans[0].scopeSpans[0].spans[1].attributes.refinery.prompt.version');
      expect(res.body.detail).toContain('must be a positive integer');
    });

    test('a version the library does not have', async () => {
      const body = json(await spans());
      const second = body.resourceSpans[0].scopeSpans[0].spans[1];
      second.attributes.find((a: { key: string }) => a.key === 'refinery.prompt.version').value = { intValue: 99 };
      const res = await refused(body);
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain('"greeting" has no version 99');
    });

    test('a span stamped days ago', async () => {
      const body = json(await spans());
      const second = body.resourceSpans[0].scopeSpans[0].spans[1];
      second.startTimeUnixNano = String(BigInt(Date.now() - 3 * 86_400_000) * 1_000_000n);
      const res = await refused(body);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('resourceSpans[0].scopeSpans[0].spans[1].startTimeUnixNano');
      expect(res.body.detail).toContain('POST /v1/admin/import/runs');
    });

    test('not OTLP: a span without ids, a wrong shape, invalid JSON, bad protobuf, another media type', async () => {
      const body = json(await spans());
      delete body.resourceSpans[0].scopeSpans[0].spans[0].traceId;
      const noId = await refused(body);
      expect(noId.status).toBe(400);
      expect(noId.body.field).toBe('resourceSpans[0].scopeSpans[0].spans[0].traceId');

      const shape = await refused({ resourceSpans: 'all of them' });
      expect(shape.body).toMatchObject({ status: 400, field: 'resourceSpans' });
      expect(shape.body.detail).toContain('ExportTraceServiceRequest');

      const notJson = await refused('{"resourceSpans": [');
      expect(notJson.body).toMatchObject({ status: 400, field: 'body' });

      const garbage = await fetch(`${h.api.url}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.tokens.writer}`, 'content-type': 'application/x-protobuf' },
        body: Buffer.from('this is not protobuf at all'),
      });
      expect(garbage.status).toBe(400);
      expect(garbage.headers.get('content-type')).toBe('application/problem+json');
      expect(((await garbage.json()) as { detail: string }).detail).toContain(
        'not a protobuf ExportTraceServiceRequest',
      );

      const text = await refused('hello', { 'content-type': 'text/plain' });
      expect(text.status).toBe(415);
    });
  });

  test('writers only: no token is 401, a reader 403', async () => {
    expect((await h.call('POST', '/v1/traces', undefined, { resourceSpans: [] })).status).toBe(401);
    expect((await h.call('POST', '/v1/traces', h.tokens.reader, { resourceSpans: [] })).status).toBe(403);
    const empty = await h.call('POST', '/v1/traces', h.tokens.writer, { resourceSpans: [] });
    expect(empty).toMatchObject({ status: 200, body: {} });
  });
}
