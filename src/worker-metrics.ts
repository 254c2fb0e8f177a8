import type { TelemetryOptions } from '@temporalio/worker';

/**
 * The worker's Temporal runtime metrics (task slots, poll and schedule-to-start latencies, workflow and
 * activity completions and failures), served by Temporal's native Prometheus exporter at
 * http://<address>/metrics when REFINERY_WORKER_METRICS_ADDRESS is set. The exporter's defaults are kept
 * (the `temporal_` prefix, histograms in milliseconds): Temporal's Grafana dashboards for Core-based SDKs
 * are built for them. The API's /metrics serves the store's figures; these are the worker process's own.
 */
export function workerTelemetry(metricsAddress: string | undefined): TelemetryOptions | undefined {
  return metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : undefined;
}
