import { z } from 'zod';

/** One span as ingestion reads it, whichever OTLP encoding it came in. */
export interface OtlpSpan {
  /** Where it sits in the request, for error messages: resourceSpans[0].scopeSpans[1].spans[2]. */
  path: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  startNs: bigint;
  endNs: bigint;
  attributes: Map<string, AttributeValue>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string | undefined;
}

export type AttributeValue = string | number | boolean | bigint | undefined;

/** A request that is not OTLP: the message names the field and the fix; nothing of it is stored. */
export class OtlpDecodeError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

const nanos = z.union([
  z.string().regex(/^\d{1,20}$/, 'give nanoseconds since the epoch as digits'),
  z.number().int().nonnegative(),
]);
const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), `give ${bytes} bytes as ${bytes * 2} hex digits`);

const anyValue = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.string().regex(/^-?\d{1,20}$/, 'give an integer'), z.number().int()]).optional(),
  doubleValue: z.union([z.number(), z.string()]).optional(),
});

const spanSchema = z.object({
  traceId: hex(16),
  spanId: hex(8),
  parentSpanId: z.union([hex(8), z.literal('')]).optional(),
  name: z.string().max(10_000).default(''),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes: z.array(z.object({ key: z.string(), value: anyValue.optional() })).default([]),
  status: z
    .object({
      // Proto3 JSON allows the enum's name; the OTLP exporters send the number.
      code: z.union([
        z.number().int().min(0).max(2),
        z.enum(['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR']),
      ]),
      message: z.string().optional(),
    })
    .partial()
    .optional(),
});

const requestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        scopeSpans: z.array(z.object({ spans: z.array(z.unknown()).default([]) })).default([]),
      }),
    )
    .default([]),
});

type Encoded = z.infer<typeof spanSchema>;

/** The spans of an OTLP ExportTraceServiceRequest in its JSON form (bytes as hex, as OTLP/JSON sends them). */
export function spansFromJson(body: unknown): OtlpSpan[] {
  return spansOf(body, (id) => id);
}

/** The spans of a binary OTLP ExportTraceServiceRequest. */
export function spansFromProtobuf(bytes: Buffer): OtlpSpan[] {
  const type = traceRequestType();
  let plain: unknown;
  try {
    plain = type.toObject(type.decode(bytes), { longs: String, bytes: String, defaults: false });
  } catch (err) {
    throw new OtlpDecodeError(
      `the body is not a protobuf ExportTraceServiceRequest (${(err as Error).message}); send OTLP/HTTP protobuf, or JSON with content-type application/json`,
      'body',
    );
  }
  // toObject renders bytes as base64; OTLP/JSON has them as hex.
  return spansOf(plain, (id) => (id ? Buffer.from(id, 'base64').toString('hex') : id));
}

function spansOf(body: unknown, id: (raw: string) => string): OtlpSpan[] {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) throw fromIssue(parsed.error.issues[0]!, '', 'an OTLP ExportTraceServiceRequest');
  const spans: OtlpSpan[] = [];
  for (const [r, rs] of parsed.data.resourceSpans.entries()) {
    for (const [s, ss] of rs.scopeSpans.entries()) {
      for (const [i, raw] of ss.spans.entries()) {
        const path = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        const span = spanSchema.safeParse(withIds(raw, id));
        if (!span.success) throw fromIssue(span.error.issues[0]!, path, 'an OTLP span');
        spans.push(toSpan(span.data, path));
      }
    }
  }
  return spans;
}

/** The span with its id fields converted to hex (the protobuf path has them as base64). */
function withIds(raw: unknown, id: (raw: string) => string): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const span = { ...(raw as Record<string, unknown>) };
  for (const key of ['traceId', 'spanId', 'parentSpanId']) {
    const value = span[key];
    if (typeof value === 'string') span[key] = id(value);
  }
  return span;
}

function toSpan(s: Encoded, path: string): OtlpSpan {
  const attributes = new Map<string, AttributeValue>();
  for (const a of s.attributes) attributes.set(a.key, valueOf(a.value));
  const code = s.status?.code;
  return {
    path,
    traceId: s.traceId.toLowerCase(),
    spanId: s.spanId.toLowerCase(),
    parentSpanId: s.parentSpanId ? s.parentSpanId.toLowerCase() : undefined,
    name: s.name,
    startNs: BigInt(s.startTimeUnixNano),
    endNs: BigInt(s.endTimeUnixNano),
    attributes,
    statusCode:
      typeof code === 'string'
        ? ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'].indexOf(code)
        : (code ?? 0),
    statusMessage: s.status?.message || undefined,
  };
}

function valueOf(v: z.infer<typeof anyValue> | undefined): AttributeValue {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return BigInt(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  return undefined; // arrays, maps and bytes carry nothing ingestion reads
}

function fromIssue(issue: z.core.$ZodIssue, prefix: string, what: string): OtlpDecodeError {
  const rest = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const field = `${prefix}${prefix ? rest : rest.replace(/^\./, '')}` || 'body';
  return new OtlpDecodeError(`${field}: ${issue.message}; the body must be ${what} (OTLP/HTTP)`, field);
}

interface TraceRequestType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): unknown;
}

/** The protobuf type, loaded once on first use: only protobuf requests pay for it. */
let requestType: TraceRequestType | undefined;
function traceRequestType(): TraceRequestType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  requestType ??= (require('@opentelemetry/otlp-transformer/build/src/generated/root') as OtlpRoot).opentelemetry.proto
    .collector.trace.v1.ExportTraceServiceRequest;
  return requestType;
}

/** Encodes the OTLP ExportTraceServiceResponse for a protobuf request (a protobuf exporter parses the reply). */
export function encodeTraceResponse(partial: { rejectedSpans: number; errorMessage: string } | undefined): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const root = require('@opentelemetry/otlp-transformer/build/src/generated/root') as OtlpRoot;
  const type = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
  return Buffer.from(type.encode(partial ? { partialSuccess: partial } : {}).finish());
}

interface OtlpRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: {
            ExportTraceServiceRequest: TraceRequestType;
            ExportTraceServiceResponse: { encode(message: unknown): { finish(): Uint8Array } };
          };
        };
      };
    };
  };
}
