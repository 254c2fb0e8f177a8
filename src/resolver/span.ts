import { trace, type Attributes } from '@opentelemetry/api';
import { PROMPT_ATTRIBUTES } from '../otlp/attributes';
import type { Resolved } from './types';

/**
 * The span attributes naming what the resolver served, for an application that starts its model-call span
 * itself: `tracer.startSpan('chat', { attributes: promptSpanAttributes(resolved) })`. Refinery's
 * POST /v1/traces turns GenAI spans carrying them into runs.
 */
export function promptSpanAttributes(resolved: Resolved): Attributes {
  return {
    [PROMPT_ATTRIBUTES.name]: resolved.name,
    [PROMPT_ATTRIBUTES.version]: resolved.version,
    [PROMPT_ATTRIBUTES.label]: resolved.label,
    ...(resolved.unit ? { [PROMPT_ATTRIBUTES.unit]: resolved.unit.id } : {}),
  };
}

/**
 * Sets the prompt attributes on the active span, if any. Without an OpenTelemetry SDK registered the
 * active span is a non-recording no-op, so this costs nothing; a fallback (version 0) names no version.
 */
export function annotateActiveSpan(resolved: Resolved): void {
  if (resolved.source === 'fallback') return;
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(promptSpanAttributes(resolved));
}
