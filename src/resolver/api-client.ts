/** A failed API call: no answer (status undefined: network error, timeout) or a problem+json answer. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly detail?: string,
    readonly field?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** Worth retrying: the request may succeed later unchanged. Other 4xx answers will not change. */
  get retryable(): boolean {
    return this.status === undefined || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export interface ApiResponse<T> {
  status: number;
  etag: string | undefined;
  /** Parsed JSON body; undefined for 304. */
  body: T | undefined;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as If-None-Match; a 304 answer comes back as status 304 with no body. */
  etag?: string;
  timeoutMs: number;
  /** Aborts the request early (close()). */
  signal?: AbortSignal;
}

/**
 * The few calls the resolver makes, each with a hard timeout so nothing waits on a silent server, and
 * every failure turned into an ApiError carrying what the problem+json body said.
 */
export class ApiClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT', path: string, opts: RequestOptions): Promise<ApiResponse<T>> {
    // Outside the network try: a body that cannot be serialised is the caller's bug, not an outage to retry.
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, opts.timeoutMs);
    timer.unref();
    const onAbort = () => controller.abort();
    if (opts.signal?.aborted) controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.etag) headers['if-none-match'] = opts.etag;
    try {
      let status: number;
      let etag: string | undefined;
      let text: string;
      let retryAfter: string | null;
      try {
        const res = await this.fetchImpl(`${this.baseUrl}${path}`, {
          method,
          headers,
          body: payload,
          signal: controller.signal,
        });
        status = res.status;
        etag = res.headers.get('etag') ?? undefined;
        retryAfter = res.headers.get('retry-after');
        // Read the body under the same timeout: a server can stall mid-body as well as before it.
        text = await res.text();
      } catch (err) {
        const why = timedOut
          ? `no answer within ${opts.timeoutMs} ms`
          : opts.signal?.aborted
            ? 'aborted (the resolver is closing)'
            : describeNetworkError(err);
        throw new ApiError(`${method} ${this.baseUrl}${path}: ${why}`, undefined);
      }
      if (status === 304) return { status, etag, body: undefined };
      if (status >= 200 && status < 300) return { status, etag, body: parseJson<T>(text) };
      throw problemError(method, `${this.baseUrl}${path}`, status, text, retryAfter);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Undefined for an empty or non-JSON body: callers check the shape they need (a POST needs none). */
function parseJson<T>(text: string): T | undefined {
  try {
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is in its cause.
 * Duck-typed: the error may come from another realm (a test sandbox, a custom fetch).
 */
function describeNetworkError(err: unknown): string {
  const e = err as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const cause = typeof e?.cause?.message === 'string' && e.cause.message ? e.cause.message : undefined;
  if (code) return `${message} (${code}${cause && !cause.includes(code) ? `: ${cause}` : ''})`;
  return cause ? `${message} (${cause})` : message;
}

function problemError(method: string, url: string, status: number, text: string, retryAfter: string | null): ApiError {
  let detail: string | undefined;
  let field: string | undefined;
  try {
    const body = JSON.parse(text) as { detail?: unknown; field?: unknown; title?: unknown };
    if (typeof body.detail === 'string') detail = body.detail;
    else if (typeof body.title === 'string') detail = body.title;
    if (typeof body.field === 'string') field = body.field;
  } catch {
    // Not problem+json (a proxy's HTML page, say): keep the start of the text for the report.
  }
  detail ??= text.trim().slice(0, 200) || `HTTP ${status}`;
  return new ApiError(`${method} ${url}: ${status} ${detail}`, status, detail, field, retryAfterMs(retryAfter));
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
