import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';

/**
 * The workflow interceptor module of @temporalio/interceptors-opentelemetry. Workflow code runs in the
 * sandbox, so its spans are made there and leave through the `exporter` sink; a prebuilt workflow bundle
 * traces workflows only if it was built with this module among its workflowInterceptorModules.
 */
export const TRACING_WORKFLOW_INTERCEPTORS =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** Tracing of one process: interceptors and sinks to hand to the worker or client, and a flush at exit. */
export interface Tracing {
  tracer: Tracer;
  /** Worker.create: activity spans, child of the workflow span that scheduled them. */
  activityInterceptors: ActivityInterceptorsFactory[];
  /** Worker.create sinks: where the sandboxed workflow interceptors send their spans. */
  sinks: InjectedSinks<OpenTelemetrySinks>;
  /** Client interceptors: a start carries its span in the workflow's headers. */
  clientInterceptors: OpenTelemetryWorkflowClientInterceptor[];
  /** Exports what is buffered and stops; call it after the worker or client is done. */
  shutdown(): Promise<void>;
}

/**
 * Tracing exported over OTLP/HTTP to `endpoint` (a traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or
 * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces), or undefined when none is configured: off by default.
 * Span attributes are the interceptors' own (workflow and activity type, ids, task queue): never inputs,
 * so no key or prompt reaches a span; exporter headers (OTEL_EXPORTER_OTLP_HEADERS) stay in the process.
 */
export function startTracing(
  endpoint: string | undefined,
  serviceName: string,
  exporter: SpanExporter | undefined = endpoint ? new OTLPTraceExporter({ url: endpoint }) : undefined,
): Tracing | undefined {
  if (!exporter) return undefined;
  const resource = new Resource({ 'service.name': serviceName });
  const processor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource });
  provider.addSpanProcessor(processor);
  // The interceptors carry trace context in Temporal headers through the global API: without an
  // AsyncLocalStorage context manager and the W3C propagator that register() installs, client, workflow
  // and activity spans would be separate traces. A second registration in one process keeps the first.
  provider.register();
  const tracer = provider.getTracer('refinery');
  return {
    tracer,
    activityInterceptors: [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    clientInterceptors: [new OpenTelemetryWorkflowClientInterceptor({ tracer })],
    shutdown: () => provider.shutdown(),
  };
}
