import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  endedNow,
  pollBatch,
  type BatchDialect,
  type BatchRoute,
  type FakeBatch,
  type FakeBatchOptions,
  type FakeBatchOutcome,
} from './fake-batch';

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
  /** Set on the items of a batch (`batchItems`): the batch they came in and their id within it. */
  batchId?: string;
  customId?: string;
}

interface ReplyTiming {
  /** Extra delay before answering, on top of the server's `latencyMs`. */
  delayMs?: number;
}

/** A tool call the fake model asks for (Anthropic tool_use block, Gemini functionCall part). */
export interface FakeToolCall {
  id?: string;
  name: string;
  input: Record<string, unknown>;
  /** OpenAI's raw `arguments` when a test gives them (a string is sent as it is, malformed or not). */
  arguments?: unknown;
  /** Gemini: the part's `thoughtSignature`, which the client must send back with the call. */
  signature?: string;
}

export interface FakeTextReply extends ReplyTiming {
  text: string;
  /** Tool calls made alongside (or instead of) the text: the answer's stop reason becomes the tool-use one. */
  toolCalls?: FakeToolCall[];
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

/** A model turn that calls tools instead of (or besides) answering in text; `arguments` is sent as a JSON string. */
export interface FakeToolCallReply extends ReplyTiming {
  toolCalls: ReadonlyArray<{ name: string; arguments: unknown; id?: string }>;
  text?: string;
  inputTokens?: number;
  outputTokens?: number;
  headers?: Record<string, string>;
}

/** A 200 whose body is not what the SDK expects: invalid JSON, or JSON of the wrong shape. */
export interface FakeMalformedReply extends ReplyTiming {
  malformedBody: string;
}

/** Waits `hangMs` (meant to outlast the client's timeout) and then answers with the default text reply. */
export interface FakeHangReply extends ReplyTiming {
  hangMs: number;
}

/** Either way a test scripts tool calls (`input` for Anthropic and Gemini, `arguments` for OpenAI), in one shape. */
function toolCallsOf(reply: FakeReply): FakeToolCall[] | undefined {
  if (!('toolCalls' in reply) || !reply.toolCalls) return undefined;
  return reply.toolCalls.map((c) => {
    if ('input' in c) return c;
    const parsed: unknown = typeof c.arguments === 'string' ? safeJson(c.arguments) : c.arguments;
    const input = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    return { id: c.id, name: c.name, input, arguments: c.arguments };
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type FakeReply = FakeTextReply | FakeErrorReply | FakeMalformedReply | FakeHangReply | FakeToolCallReply;

export type Responder = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeServerOptions {
  /** Delay added to every reply, to simulate a provider's response time. */
  latencyMs?: number;
  /** Answers requests once the scripted queue is empty; without it the fake echoes the prompt. */
  respond?: Responder;
  /** Defaults to 0: a random free port. */
  port?: number;
  /** How the batch endpoints behave (processing delay, failed items). */
  batches?: FakeBatchOptions;
  /**
   * Whether `requests` keeps every request (the default: tests read it). A standalone server (serve.ts) that nobody
   * can read from turns it off, so a long benchmark's fake neither grows nor spends its CPU collecting what it keeps.
   */
  keepRequests?: boolean;
}

export interface FakeServer {
  readonly baseUrl: string;
  readonly requests: readonly RecordedRequest[];
  enqueue(reply: FakeReply | readonly FakeReply[]): void;
  count(predicate?: (req: RecordedRequest) => boolean): number;
  /** Every item of every batch created, answered by the same reply logic as a single call. */
  readonly batchItems: readonly RecordedRequest[];
  readonly batches: readonly FakeBatch[];
  /** Changes how batches behave from now on (a harness that built the server can still steer its batches). */
  setBatchBehaviour(options: FakeBatchOptions): void;
  /** Forgets recorded requests and queued replies, so one server can be shared by several tests. */
  reset(): void;
  close(): Promise<void>;
}

/** The provider-specific half of a fake: where its endpoint lives and what its JSON looks like. */
export interface WireDialect {
  readonly name: string;
  /** Appended to the server's address in `baseUrl`, for SDKs whose base URL includes the API version (OpenAI: `/v1`). */
  readonly basePath?: string;
  /** Returns the model when the request hits the dialect's completion endpoint, or undefined for any other path. */
  route(method: string, path: string, body: unknown): { model: string | undefined } | undefined;
  requestText(body: unknown): string;
  successBody(reply: {
    model: string;
    text: string;
    inputTokens: number;
    outputTokens: number;
    id: string;
    /** Tool calls of the answer (a text reply's `toolCalls` or a FakeToolCallReply's), in one shape. */
    toolCalls?: FakeToolCall[];
  }): unknown;
  errorBody(error: { status: number; type: string; message: string; id: string }): unknown;
  defaultErrorType(status: number): string;
  /** A request the real API would refuse with a 400 (e.g. a malformed response_format): the reason, else undefined. */
  invalidRequest?(body: unknown): string | undefined;
  /** The provider's batch API, where the fake has one. */
  readonly batch?: BatchDialect;
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
  const batchItems: RecordedRequest[] = [];
  const batches = new Map<string, FakeBatch>();
  let batchOptions: FakeBatchOptions = { ...options.batches };
  let baseUrl = '';
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
    const path = pathOf(req.url ?? '/');
    const method = req.method ?? 'GET';
    const id = `fake_${dialect.name}_${++sequence}`;
    const route = dialect.route(method, path, body);
    const batchRoute = route ? undefined : dialect.batch?.route(method, path, body);
    const recorded: RecordedRequest = {
      method,
      path,
      headers: req.headers,
      body,
      receivedAt: Date.now(),
      model: route?.model ?? (batchRoute?.kind === 'create' ? batchRoute.model : undefined),
      text: route ? dialect.requestText(body) : '',
    };
    if (options.keepRequests !== false) requests.push(recorded);

    if (batchRoute && dialect.batch) return handleBatch(dialect.batch, batchRoute, recorded, req, res);
    if (!route) {
      const message = `no fake ${dialect.name} endpoint for ${method} ${path}`;
      return sendJson(res, 404, dialect.errorBody({ status: 404, type: dialect.defaultErrorType(404), message, id }));
    }

    const invalid = dialect.invalidRequest?.(body);
    if (invalid !== undefined) {
      const type = dialect.defaultErrorType(400);
      return sendJson(res, 400, dialect.errorBody({ status: 400, type, message: invalid, id }));
    }

    const reply = await nextReply(recorded);
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
      const toolCalls = toolCallsOf(reply);
      const text =
        'text' in reply && reply.text !== undefined ? reply.text : toolCalls ? '' : defaultReply(recorded).text;
      const inputTokens = ('inputTokens' in reply ? reply.inputTokens : undefined) ?? estimateTokens(recorded.text);
      const outputTokens =
        ('outputTokens' in reply ? reply.outputTokens : undefined) ??
        estimateTokens(text + (toolCalls ? JSON.stringify(toolCalls) : ''));
      const headers = 'headers' in reply ? reply.headers : undefined;
      const model = recorded.model ?? 'unknown-model';
      sendJson(res, 200, dialect.successBody({ model, text, inputTokens, outputTokens, id, toolCalls }), headers);
      recorded.delivered = true;
    }
  };

  // Scripted replies first, then the responder, then the echo: single calls and batch items alike.
  const nextReply = async (recorded: RecordedRequest): Promise<FakeReply> =>
    queue.shift() ?? (options.respond ? await options.respond(recorded) : defaultReply(recorded));

  /** A batch item answered now, as the single call with the same body would have been. */
  const answerItem = async (recorded: RecordedRequest): Promise<FakeBatchOutcome> => {
    const id = `fake_${dialect.name}_${++sequence}`;
    const failure = batchOptions.failItem?.(recorded);
    if (failure === 'expired' || failure === 'canceled') return { kind: failure };
    if (failure === 'errored') {
      return { kind: 'errored', status: 500, type: dialect.defaultErrorType(500), message: 'fake item failure', id };
    }
    const reply = await nextReply(recorded);
    if ('status' in reply) {
      const type = reply.errorType ?? dialect.defaultErrorType(reply.status);
      const message = reply.message ?? `fake ${dialect.name} error ${reply.status}`;
      return { kind: 'errored', status: reply.status, type, message, id };
    }
    if ('malformedBody' in reply) {
      return { kind: 'errored', status: 500, type: dialect.defaultErrorType(500), message: 'malformed answer', id };
    }
    const text = 'text' in reply && reply.text !== undefined ? reply.text : defaultReply(recorded).text;
    const inputTokens = ('text' in reply ? reply.inputTokens : undefined) ?? estimateTokens(recorded.text);
    const outputTokens = ('text' in reply ? reply.outputTokens : undefined) ?? estimateTokens(text);
    recorded.delivered = true;
    return { kind: 'succeeded', text, inputTokens, outputTokens, id };
  };

  const handleBatch = async (
    batchDialect: BatchDialect,
    route: BatchRoute,
    recorded: RecordedRequest,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> => {
    // Endpoints around the batch itself (OpenAI's file upload) that the dialect answers on its own.
    if (route.kind === 'answer') return sendJson(res, route.status, route.body);
    if (route.kind === 'list') {
      const query = new URL(req.url ?? '/', 'http://fake').searchParams;
      // Newest first; the sequence in the id orders batches created within one millisecond.
      const newestFirst = [...batches.values()].reverse();
      const ended = (b: FakeBatch) => endedNow(b, batchOptions);
      return sendJson(res, 200, batchDialect.listBody(newestFirst, query, ended, baseUrl));
    }
    if (route.kind === 'create' && (batchOptions.unavailableCreates ?? 0) > 0) {
      batchOptions.unavailableCreates = (batchOptions.unavailableCreates ?? 0) - 1;
      const id = `fake_${dialect.name}_${++sequence}`;
      const type = dialect.defaultErrorType(529);
      return sendJson(res, 529, dialect.errorBody({ status: 529, type, message: 'fake overload', id }));
    }
    if (route.kind === 'create') {
      const batch: FakeBatch = {
        id: batchDialect.newId(++sequence),
        model: route.model,
        displayName: route.displayName,
        createdAt: new Date().toISOString(),
        endedAt: undefined,
        polls: 0,
        items: [],
      };
      for (const item of route.items) {
        const model = item.model ?? route.model ?? 'unknown-model';
        const itemRequest: RecordedRequest = {
          method: recorded.method,
          path: recorded.path,
          headers: recorded.headers,
          body: item.body,
          receivedAt: recorded.receivedAt,
          model,
          text: dialect.requestText(item.body),
          batchId: batch.id,
          customId: item.customId,
        };
        batchItems.push(itemRequest);
        batch.items.push({ customId: item.customId, model, outcome: await answerItem(itemRequest) });
      }
      batches.set(batch.id, batch);
      if ((await batchOptions.afterAccept?.(batch)) === 'drop') {
        res.socket?.destroy();
        return;
      }
      return sendJson(res, 200, batchDialect.statusBody(batch, false, baseUrl));
    }
    const batch = batches.get(route.id);
    if (!batch) {
      const message = `no batch ${route.id}`;
      const id = `fake_${dialect.name}_${++sequence}`;
      return sendJson(res, 404, dialect.errorBody({ status: 404, type: dialect.defaultErrorType(404), message, id }));
    }
    if (route.kind === 'status') {
      const unavailable = batchOptions.unavailablePolls ?? 0;
      if (unavailable > 0) {
        batchOptions.unavailablePolls = unavailable - 1;
        const id = `fake_${dialect.name}_${++sequence}`;
        const type = dialect.defaultErrorType(503);
        return sendJson(res, 503, dialect.errorBody({ status: 503, type, message: 'fake outage', id }));
      }
      return sendJson(res, 200, batchDialect.statusBody(batch, pollBatch(batch, batchOptions), baseUrl));
    }
    if (!batch.endedAt || !batchDialect.resultLines) {
      const message = `batch ${batch.id} has no results to download yet`;
      const id = `fake_${dialect.name}_${++sequence}`;
      return sendJson(res, 400, dialect.errorBody({ status: 400, type: dialect.defaultErrorType(400), message, id }));
    }
    // Written line by line, so the SDK's JSONL decoder sees a stream of chunks as it would from the real API.
    res.writeHead(200, { 'content-type': 'application/binary' });
    for (const line of batchDialect.resultLines(batch, route.part)) res.write(`${JSON.stringify(line)}\n`);
    res.end();
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
  baseUrl = `http://127.0.0.1:${port}${dialect.basePath ?? ''}`;

  return {
    baseUrl,
    requests,
    batchItems,
    get batches() {
      return [...batches.values()];
    },
    setBatchBehaviour(next) {
      batchOptions = { ...next };
    },
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
      batchItems.length = 0;
      batches.clear();
      batchOptions = { ...options.batches };
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

/** The path of a request target as `new URL(target, base).pathname` gives it, without a URL per request when plain. */
function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  return path.startsWith('/') && !/[^A-Za-z0-9/_.~:-]|\/\.|\/\//.test(path)
    ? path
    : new URL(target, 'http://fake').pathname;
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
