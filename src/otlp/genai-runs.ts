import type { RunRecord } from '../library/records';
import { GENAI_ATTRIBUTES as G, PROMPT_ATTRIBUTES as P, RUN_OPERATIONS } from './attributes';
import type { AttributeValue, OtlpSpan } from './decode';

/** Why a span did not become a run; counted in the OTLP partial_success answer. */
export type SkipReason = 'not-genai' | 'not-a-run-operation' | 'no-prompt';

export interface SpanRuns {
  runs: { span: OtlpSpan; run: RunRecord }[];
  skipped: Record<SkipReason, number>;
}

/** A span ingestion refuses: the whole request is answered 400 and nothing of it is stored. */
export class BadSpanError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

const MAX_ERROR = 2000;

/**
 * Runs from GenAI spans. A span is a run when it is a GenAI inference (gen_ai.operation.name, or the older
 * gen_ai.system) and names a prompt version, on itself or on its nearest ancestor in the same request:
 * instrumentations create the model-call span as a child of the span that was active when the application
 * resolved the prompt. Other spans are skipped and counted; a span that names a prompt wrongly is refused.
 */
export function runsFromSpans(spans: OtlpSpan[]): SpanRuns {
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const skipped: Record<SkipReason, number> = { 'not-genai': 0, 'not-a-run-operation': 0, 'no-prompt': 0 };
  const runs: SpanRuns['runs'] = [];
  for (const span of spans) {
    const operation = text(span.attributes.get(G.operation));
    if (operation === undefined && text(span.attributes.get(G.system)) === undefined) {
      skipped['not-genai']++;
      continue;
    }
    if (operation !== undefined && !RUN_OPERATIONS.has(operation)) {
      skipped['not-a-run-operation']++;
      continue;
    }
    const prompt = promptOf(span, byId);
    if (!prompt) {
      skipped['no-prompt']++;
      continue;
    }
    runs.push({ span, run: runOf(span, prompt) });
  }
  return { runs, skipped };
}

interface Prompt {
  name: string;
  version: number;
  unitId: string | undefined;
}

/** The span's own prompt attributes, else the nearest ancestor's in the request (bounded by the span count). */
function promptOf(span: OtlpSpan, byId: Map<string, OtlpSpan>): Prompt | undefined {
  let at: OtlpSpan | undefined = span;
  for (let hops = 0; at && hops <= byId.size; hops++) {
    const found = promptAttributes(at);
    if (found) return found;
    at = at.parentSpanId ? byId.get(`${at.traceId}/${at.parentSpanId}`) : undefined;
  }
  return undefined;
}

function promptAttributes(span: OtlpSpan): Prompt | undefined {
  const rawName = span.attributes.get(P.name);
  const rawVersion = span.attributes.get(P.version);
  if (rawName === undefined && rawVersion === undefined) return undefined;
  const field = `${span.path}.attributes`;
  const name = text(rawName);
  if (name === undefined || name.length > 100)
    throw new BadSpanError(
      `${field}: ${P.name} must be a prompt name (1–100 characters) when ${P.version} is set; set both, as the Refinery resolver does`,
      `${field}.${P.name}`,
    );
  const version = positiveInt(rawVersion);
  if (version === undefined)
    throw new BadSpanError(
      `${field}: ${P.version} of "${name}" must be a positive integer (the version the resolver served), not ${JSON.stringify(String(rawVersion))}`,
      `${field}.${P.version}`,
    );
  const unit = text(span.attributes.get(P.unit));
  return { name, version, unitId: unit && unit.length <= 200 ? unit : undefined };
}

function runOf(span: OtlpSpan, prompt: Prompt): RunRecord {
  const a = span.attributes;
  const model = text(a.get(G.responseModel)) ?? text(a.get(G.requestModel));
  const inputTokens = count(a.get(G.inputTokens) ?? a.get(G.promptTokens));
  const outputTokens = count(a.get(G.outputTokens) ?? a.get(G.completionTokens));
  const latencyNs = span.endNs > span.startNs ? span.endNs - span.startNs : 0n;
  const errorType = text(a.get(G.errorType));
  const failed = span.statusCode === 2 || errorType !== undefined;
  const error = failed
    ? [errorType, span.statusMessage].filter((x) => x !== undefined).join(': ') || 'span status ERROR'
    : undefined;
  return {
    // Trace and span id: an exporter's retry of the same batch stores each run once.
    id: `otel-${span.traceId}-${span.spanId}`,
    name: prompt.name,
    version: prompt.version,
    unitId: prompt.unitId,
    model: model?.slice(0, 200),
    latencyMs: Math.min(Number(latencyNs / 1_000_000n), 3_600_000),
    inputTokens,
    outputTokens,
    error: error?.slice(0, MAX_ERROR),
    corrected: false,
    regenerated: false,
    at: new Date(Number(span.startNs / 1_000_000n)).toISOString(),
  };
}

function text(v: AttributeValue): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function positiveInt(v: AttributeValue): number | undefined {
  const n = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : typeof v === 'bigint' ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** A token count; anything else (negative, fractional, a string) is left out rather than refusing the span. */
function count(v: AttributeValue): number | undefined {
  const n = typeof v === 'bigint' ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The OTLP partial_success message: what was skipped and how to make such spans count. */
export function skipMessage(skipped: Record<SkipReason, number>): string | undefined {
  const parts: string[] = [];
  if (skipped['not-genai']) parts.push(`${skipped['not-genai']} not GenAI spans (no ${G.operation} or ${G.system})`);
  if (skipped['not-a-run-operation'])
    parts.push(
      `${skipped['not-a-run-operation']} GenAI spans of an operation that is not a run (runs are ${[...RUN_OPERATIONS].join(', ')})`,
    );
  if (skipped['no-prompt'])
    parts.push(
      `${skipped['no-prompt']} GenAI spans naming no prompt: set ${P.name} and ${P.version} on the span or an ancestor in the same export (the Refinery resolver sets them on the active span when it resolves)`,
    );
  return parts.length ? `skipped ${parts.join('; ')}` : undefined;
}
