import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { LibraryError } from '../library/errors';

/** An HTTP error rendered as application/problem+json (RFC 9457), naming the field at fault. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly field?: string,
    /** Extra response headers, e.g. retry-after on a 429. */
    readonly headers: Record<string, string> = {},
    /** Extra members of the problem body, e.g. the file and the rule a path check refused. */
    readonly extensions?: Record<string, string>,
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export function sendProblem(res: ServerResponse, err: unknown, instance: string): void {
  let p: HttpProblem;
  if (err instanceof HttpProblem) p = err;
  else if (err instanceof LibraryError)
    p = new HttpProblem(err.status, TITLES[err.status]!, err.message, err.field, {}, err.extensions);
  else p = new HttpProblem(500, TITLES[500]!, 'the server failed to handle the request; see its log');
  const body = JSON.stringify({
    type: 'about:blank',
    title: p.title,
    status: p.status,
    detail: p.message,
    instance,
    ...(p.field ? { field: p.field } : {}),
    ...p.extensions,
  });
  res.writeHead(p.status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    ...(p.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
    ...p.headers,
  });
  res.end(body);
}

export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads and parses a JSON body, refusing oversize or non-JSON requests before parsing them. */
export async function readJson(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json'))
    throw new HttpProblem(415, TITLES[415]!, 'send the body as application/json', 'content-type');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes)
    throw new HttpProblem(413, TITLES[413]!, `the body is over ${maxBytes} bytes; send smaller batches`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes)
      throw new HttpProblem(413, TITLES[413]!, `the body is over ${maxBytes} bytes; send smaller batches`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpProblem(400, TITLES[400]!, 'the body is not valid JSON', 'body');
  }
}

/** Reads a raw body (application/octet-stream), refusing oversize requests before reading them whole. */
export async function readBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/octet-stream'))
    throw new HttpProblem(415, TITLES[415]!, 'send the bytes as application/octet-stream', 'content-type');
  const tooLarge = () =>
    new HttpProblem(413, TITLES[413]!, `the body is over ${maxBytes} bytes, the cap per binary skill file`);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Sends bytes as application/octet-stream. */
export function sendBytes(res: ServerResponse, status: number, bytes: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
  res.end(bytes);
}

/** Validates with zod; the first issue becomes a 400 naming its field path. */
export function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field =
    issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || 'body';
  throw new HttpProblem(400, TITLES[400]!, `${field}: ${issue.message}`, field);
}

export const problems = {
  notFound: (what: string) => new HttpProblem(404, TITLES[404]!, what),
  forbidden: (what: string, field?: string) => new HttpProblem(403, TITLES[403]!, what, field),
  unauthorized: (what: string) => new HttpProblem(401, TITLES[401]!, what),
  badRequest: (what: string, field?: string) => new HttpProblem(400, TITLES[400]!, what, field),
  /** Retry-After in whole seconds (at least 1), rounded up so a client waiting that long finds a token. */
  tooManyRequests: (what: string, retryAfterMs: number) =>
    new HttpProblem(429, TITLES[429]!, what, undefined, {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    }),
};
