import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { recordRuns } from '../../library/records';
import { RECORD_WINDOW } from '../../library/record-window';
import { encodeTraceResponse, OtlpDecodeError, spansFromJson, spansFromProtobuf } from '../../otlp/decode';
import { BadSpanError, runsFromSpans, skipMessage } from '../../otlp/genai-runs';
import { HttpProblem, problems, sendJson } from '../http';
import type { Route, RouteContext } from '../route';
import { limit } from './records';

/**
 * Larger than the JSON routes' megabyte: an SDK's batch processor exports up to 512 spans at once, and
 * instrumentations may put message content on them.
 */
const MAX_OTLP_BYTES = 8 * 1024 * 1024;

const inflate = promisify(gunzip);

type Encoding = 'json' | 'protobuf';

/**
 * OTLP/HTTP trace export: GenAI spans that name a prompt version become runs, in one transaction; other
 * spans are skipped and counted (partial_success). A malformed request or a span naming a prompt wrongly
 * is refused whole with a problem+json 400, and nothing of it is stored.
 */
async function acceptTraces(ctx: RouteContext): Promise<void> {
  const { req, res, deps } = ctx;
  const encoding = encodingOf(req);
  const body = await readOtlpBody(req);
  let result;
  try {
    const spans = encoding === 'json' ? spansFromJson(parseJson(body)) : spansFromProtobuf(body);
    result = runsFromSpans(spans);
  } catch (err) {
    if (err instanceof OtlpDecodeError || err instanceof BadSpanError)
      throw problems.badRequest(err.message, err.field);
    throw err;
  }
  const now = Date.now();
  for (const { span, run } of result.runs) {
    const at = Date.parse(run.at!);
    if (at > now + RECORD_WINDOW.futureMs || at < now - RECORD_WINDOW.pastMs)
      throw problems.badRequest(
        `${span.path}.startTimeUnixNano: ${run.at} is outside the window /v1/traces takes (${RECORD_WINDOW.pastMs / 3_600_000} hours back to ${RECORD_WINDOW.futureMs / 60_000} minutes ahead of ${new Date(now).toISOString()}); check the sender's clock, and import older runs with POST /v1/admin/import/runs`,
        `${span.path}.startTimeUnixNano`,
      );
    const known = await deps.live.version(run.name, run.version).catch(() => undefined);
    if (!known)
      throw problems.badRequest(
        `${span.path}.attributes: "${run.name}" has no version ${run.version}; set refinery.prompt.name and refinery.prompt.version to a version the library has (the resolver sets the one it served)`,
        `${span.path}.attributes.refinery.prompt.version`,
      );
  }
  if (result.runs.length)
    await recordRuns(
      deps.db,
      result.runs.map((r) => r.run),
    );
  const rejectedSpans = Object.values(result.skipped).reduce((a, b) => a + b, 0);
  const errorMessage = skipMessage(result.skipped);
  const partial = rejectedSpans > 0 ? { rejectedSpans, errorMessage: errorMessage ?? '' } : undefined;
  // OTLP/HTTP answers in the request's encoding: exporters parse the reply to report partial success.
  if (encoding === 'json') sendJson(res, 200, partial ? { partialSuccess: partial } : {});
  else {
    const bytes = encodeTraceResponse(partial);
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': bytes.length });
    res.end(bytes);
  }
}

function encodingOf(req: IncomingMessage): Encoding {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  throw new HttpProblem(
    415,
    'Unsupported Media Type',
    'send OTLP/HTTP as application/x-protobuf or application/json (the OTLP exporters set it)',
    'content-type',
  );
}

async function readOtlpBody(req: IncomingMessage): Promise<Buffer> {
  const tooLarge = () =>
    new HttpProblem(
      413,
      'Content Too Large',
      `the body is over ${MAX_OTLP_BYTES} bytes; export smaller batches (the batch span processor's maxExportBatchSize)`,
    );
  if (Number(req.headers['content-length'] ?? 0) > MAX_OTLP_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_OTLP_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (contentEncoding === 'identity') return raw;
  if (contentEncoding !== 'gzip')
    throw new HttpProblem(
      415,
      'Unsupported Media Type',
      `content-encoding ${contentEncoding} is not supported; send gzip or no compression`,
      'content-encoding',
    );
  try {
    return await inflate(raw, { maxOutputLength: MAX_OTLP_BYTES });
  } catch {
    throw problems.badRequest(
      `the body is not gzip data of at most ${MAX_OTLP_BYTES} bytes; compress it with gzip, or drop content-encoding`,
      'body',
    );
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw problems.badRequest(
      'the body is not valid JSON; send an OTLP ExportTraceServiceRequest in its JSON form, or protobuf with content-type application/x-protobuf',
      'body',
    );
  }
}

/** OTLP/HTTP's standard path, so an exporter needs only OTEL_EXPORTER_OTLP_ENDPOINT and a bearer header. */
export const traceRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/traces',
    role: 'writer',
    async handle(ctx) {
      limit(ctx, 'traces');
      await acceptTraces(ctx);
    },
  },
];
