import http from 'node:http';
import https from 'node:https';

/**
 * Keep-alive agents shared by every client of this process: a connection is opened once per host and slot, not once
 * per call. No socket cap (the callers' limiters bound how many calls run at once).
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch for SDK clients whose calls are small JSON requests answered by one JSON body, made with node:http on
 * keep-alive agents. Node's built-in fetch runs every call through web streams, Request/Response bookkeeping and
 * transferable abort signals: at 128 calls in flight that cost more worker CPU per call than everything else an eval
 * case does. Answers are read whole before the Response is made, so streamed answers (SSE, JSONL downloads) go
 * through the built-in fetch: so does any request whose body is not a string or bytes, and any Request object.
 * Aborting `init.signal` aborts the request or the body read with an AbortError, as fetch does.
 */
export const nodeFetch: typeof fetch = (input, init) => {
  const body = init?.body;
  const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  if (!plainBody || url === undefined) return fetch(input, init);
  return new Promise<Response>((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      resolve(fetch(input, init));
      return;
    }
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: init?.method ?? 'GET',
        headers,
        agent: agents[target.protocol],
        ...(init?.signal ? { signal: init.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => {
          const responseHeaders = new Headers();
          const raw = res.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
          const status = res.statusCode ?? 0;
          try {
            resolve(
              new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders,
              }),
            );
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    request.once('error', reject);
    request.end(body ?? undefined);
  });
};
