import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it; `model` and `text` are pulled out so tests and responders can route on them. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or the raw string when the body was not JSON. */
  body: unknown;
  receivedAt: number;
  /** Model named by the request (body for Anthropic, URL for Gemini). */
  model: string | undefined;
  /** All prompt text of the request (system + user turns), joined with newlines. */
  text: string;
  /** True once a successful answer was written to a client still connected (a dead client gets none). */
  delivered?: boolean;
}

interface ReplyTiming {
  /** Extra delay before answering, on top of the server's `latencyMs`. */
  delayMs?: number;
}

export interface FakeTextReply extends ReplyTiming {
  text: string;
  inputTokens?: number;
  outputTokens?: number;
  headers?: Record<string, string>;
}

export interface FakeErrorReply extends ReplyTiming {
  status: number;
  /** Provider error type (`rate_limit_error`, `RESOURCE_EXHAUSTED`, ...); defaults from the status. */
  errorType?: string;
  message?: string;
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  /** Raw JSON error body sent instead of the provider's usual error shape (e.g. with Google `details`). */
  body?: unknown;
}

/** A 200 whose body is not what the SDK expects: invalid JSON, or JSON of the wrong shape. */
export interface FakeMalformedReply extends ReplyTiming {
  malformedBody: string;
}

/** Waits `hangMs` (meant to outlast the client's timeout) and then answers with the default text reply. */
export interface FakeHangReply extends ReplyTiming {
  hangMs: number;
}

export type FakeReply = FakeTextReply | FakeErrorReply | FakeMalformedReply | FakeHangReply;

export type Responder = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeServerOptions {
  /** Delay added to every reply, to simulate a provider's response time. */
  latencyMs?: number;
  /** Answers requests once the scripted queue is empty; without it the fake echoes the prompt. */
  respond?: Responder;
  /** Defaults to 0: a random free port. */
  port?: number;
}

export interface FakeServer {
  readonly baseUrl: string;
  readonly requests: readonly RecordedRequest[];
  enqueue(reply: FakeReply | readonly FakeReply[]): void;
  count(predicate?: (req: RecordedRequest) => boolean): number;
  /** Forgets recorded requests and queued replies, so one server can be shared by several tests. */
  reset(): void;
  close(): Promise<void>;
}

/** The provider-specific half of a fake: where its endpoint lives and what its JSON looks like. */
export interface WireDialect {
  readonly name: string;
  /** Returns the model when the request hits the dialect's completion endpoint, or undefined for any other path. */
  route(method: string, path: string, body: unknown): { model: string | undefined } | undefined;
  requestText(body: unknown): string;
  successBody(reply: { model: string; text: string; inputTokens: number; outputTokens: number; id: string }): unknown;
  errorBody(error: { status: number; type: string; message: string; id: string }): unknown;
  defaultErrorType(status: number): string;
}

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Builds a responder that answers with the first route whose `when` matches the request's prompt text. */
export function replyByText(
  routes: ReadonlyArray<{ when: string | RegExp; reply: FakeReply | Responder }>,
  fallback?: Responder,
): Responder {
  return (req) => {
    for (const route of routes) {
      const hit = typeof route.when === 'string' ? req.text.includes(route.when) : route.when.test(req.text);
      if (hit) return typeof route.reply === 'function' ? route.reply(req) : route.reply;
    }
    return fallback ? fallback(req) : defaultReply(req);
  };
}

export function defaultReply(req: RecordedRequest): FakeTextReply {
  const prompt = req.text.length > 200 ? `${req.text.slice(0, 200)}...` : req.text;
  return { text: `fake reply to: ${prompt}` };
}

export async function startFakeServer(dialect: WireDialect, options: FakeServerOptions = {}): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();
  let sequence = 0;

  // A client that died (SIGKILL) leaves a half-closed socket that Node keeps writable, so `close` may
  // not fire: a live HTTP client never ends its side while waiting, so an ended socket counts as gone.
  const gone = (res: http.ServerResponse): boolean => res.destroyed || res.req.socket.readableEnded;
  const wait = (ms: number, res: http.ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      if (ms <= 0) return resolve(!gone(res));
      const socket = res.req.socket;
      const onClose = (): void => {
        clearTimeout(timer);
        pendingTimers.delete(timer);
        res.off('close', onClose);
        socket.off('end', onClose);
        resolve(false);
      };
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        res.off('close', onClose);
        socket.off('end', onClose);
        resolve(!gone(res));
      }, ms);
      pendingTimers.add(timer);
      res.once('close', onClose);
      socket.once('end', onClose);
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const body = parseJson(raw);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const method = req.method ?? 'GET';
    const id = `fake_${dialect.name}_${++sequence}`;
    const route = dialect.route(method, path, body);
    const recorded: RecordedRequest = {
      method,
      path,
      headers: req.headers,
      body,
      receivedAt: Date.now(),
      model: route?.model,
      text: route ? dialect.requestText(body) : '',
    };
    requests.push(recorded);

    if (!route) {
      const message = `no fake ${dialect.name} endpoint for ${method} ${path}`;
      return sendJson(res, 404, dialect.errorBody({ status: 404, type: dialect.defaultErrorType(404), message, id }));
    }

    const reply = queue.shift() ?? (options.respond ? await options.respond(recorded) : defaultReply(recorded));
    const hangMs = 'hangMs' in reply ? reply.hangMs : 0;
    const stillConnected = await wait((options.latencyMs ?? 0) + (reply.delayMs ?? 0) + hangMs, res);
    if (!stillConnected) return;

    if ('malformedBody' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(reply.malformedBody);
    } else if ('status' in reply) {
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
      const type = reply.errorType ?? dialect.defaultErrorType(reply.status);
      const message = reply.message ?? `fake ${dialect.name} error ${reply.status}`;
      sendJson(
        res,
        reply.status,
        reply.body ?? dialect.errorBody({ status: reply.status, type, message, id }),
        headers,
      );
    } else {
      const text = 'text' in reply ? reply.text : defaultReply(recorded).text;
      const inputTokens = ('text' in reply ? reply.inputTokens : undefined) ?? estimateTokens(recorded.text);
      const outputTokens = ('text' in reply ? reply.outputTokens : undefined) ?? estimateTokens(text);
      const headers = 'text' in reply ? reply.headers : undefined;
      const model = recorded.model ?? 'unknown-model';
      sendJson(res, 200, dialect.successBody({ model, text, inputTokens, outputTokens, id }), headers);
      recorded.delivered = true;
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A responder that throws is a bug in the test, so surface it as a 500 the test can see.
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) sendJson(res, 500, { fakeServerError: message });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    enqueue(reply) {
      if (isReplyList(reply)) queue.push(...reply);
      else queue.push(reply);
    },
    count(predicate) {
      return predicate ? requests.filter(predicate).length : requests.length;
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
    },
    close() {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets and hung replies would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

function isReplyList(reply: FakeReply | readonly FakeReply[]): reply is readonly FakeReply[] {
  return Array.isArray(reply);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
  });
  res.end(payload);
}
