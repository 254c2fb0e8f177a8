import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { spansFromJson, type OtlpSpan } from '../../src/otlp/decode';
import { runBinding } from '../../src/temporal/store-binding';
import { startTracing } from '../../src/temporal/tracing';
import { openStore } from '../../src/store/open';
import { startWorker } from '../../src/worker';
import { sharedTestEnv } from '../support/shared-env';
import { tempDir, uniqueId } from '../support/temporal';

/** A tiny OTLP/HTTP receiver: keeps each export's raw body and its spans, decoded by Refinery's own decoder. */
async function otlpReceiver() {
  const bodies: string[] = [];
  const spans: OtlpSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      bodies.push(`${req.url} ${req.headers['content-type']} ${text}`);
      spans.push(...spansFromJson(JSON.parse(text)));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, bodies, spans, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('OpenTelemetry tracing of workflows and activities', () => {
  const MARKER = 'sk-ant-TRACING-MARKER-never-in-a-span';

  test('with OTEL_EXPORTER_OTLP_ENDPOINT set, a client start, the workflow and its activity arrive as one trace', async () => {
    const receiver = await otlpReceiver();
    const config = loadConfig({
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_HOME: tempDir('tracing'),
      OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`,
      ANTHROPIC_API_KEY: MARKER,
    });
    expect(config.tracesEndpoint).toBe(`${receiver.url}/v1/traces`);
    // No prebuilt bundle: the worker bundles its workflows with the tracing interceptor module, as in production.
    const worker = await startWorker(config);
    const clientTracing = startTracing(config.tracesEndpoint, 'refinery-test-client')!;
    const connection = await Connection.connect({ address: config.temporal.address });
    const db = await openStore(config.databaseUrl);
    const workflowId = uniqueId('traced-self-check');
    try {
      const client = new Client({ connection, interceptors: { workflow: clientTracing.clientInterceptors } });
      const binding = await runBinding(config, db);
      const result = await client.workflow.execute('selfCheckWorkflow', {
        taskQueue: binding.taskQueue,
        workflowId,
        args: [{ effectKey: workflowId }],
        memo: binding.memo,
      });
      expect(result).toMatchObject({ phase: 'done', effectApplied: true });
    } finally {
      // Both flush what their batch processors hold on the way out.
      await worker.shutdown();
      await clientTracing.shutdown();
      await connection.close();
      await db.close();
      await receiver.close();
    }

    const byName = (name: string) => receiver.spans.filter((s) => s.name === name);
    const start = byName('StartWorkflow:selfCheckWorkflow');
    const run = byName('RunWorkflow:selfCheckWorkflow').filter((s) => s.attributes.get('workflowId') === workflowId);
    const scheduled = byName('StartActivity:applySideEffect').filter((s) => s.traceId === run[0]?.traceId);
    const executed = byName('RunActivity:applySideEffect').filter((s) => s.traceId === run[0]?.traceId);
    expect({ start: start.length, run: run.length, scheduled: scheduled.length, executed: executed.length }).toEqual({
      start: 1,
      run: 1,
      scheduled: 1,
      executed: 1,
    });
    // One trace: client start → workflow run → activity scheduled in the sandbox → activity run on the worker.
    expect(run[0]!.traceId).toBe(start[0]!.traceId);
    expect(run[0]!.parentSpanId).toBe(start[0]!.spanId);
    expect(scheduled[0]!.parentSpanId).toBe(run[0]!.spanId);
    expect(executed[0]!.parentSpanId).toBe(scheduled[0]!.spanId);
    expect(receiver.bodies.every((b) => b.startsWith('/v1/traces application/json'))).toBe(true);
    expect(receiver.bodies.join('\n')).toContain('"refinery-worker"');
    // The worker holds an API key; nothing of it reaches an exported span.
    expect(receiver.bodies.join('\n')).not.toContain(MARKER);
  }, 180_000);

  test('without an endpoint tracing is off', () => {
    const config = loadConfig({ REFINERY_HOME: tempDir('no-tracing') });
    expect(config.tracesEndpoint).toBeUndefined();
    expect(startTracing(config.tracesEndpoint, 'refinery-worker')).toBeUndefined();
    const explicit = loadConfig({
      REFINERY_HOME: tempDir('traces-endpoint'),
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces.example:4318/custom',
    });
    expect(explicit.tracesEndpoint).toBe('http://traces.example:4318/custom');
  });
});
