import http from 'node:http';
import https from 'node:https';
import { bufferedResponse } from './buffered-response';

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

/** Where a URL goes, as node:http's options: parsed once per URL (a client calls the same few endpoints). */
interface Target {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: string;
  path: string;
  auth?: string;
}
const targets = new Map<string, Target | null>();
const MAX_TARGETS = 64;

function targetOf(url: string): Target | null {
  let target = targets.get(url);
  if (target !== undefined) return target;
  const u = new URL(url);
  target =
    u.protocol === 'http:' || u.protocol === 'https:'
      ? {
          protocol: u.protocol,
          // node:http wants an IPv6 literal without its brackets.
          hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
          port: u.port,
          path: `${u.pathname}${u.search}`,
          ...(u.username || u.password
            ? { auth: `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` }
            : {}),
        }
      : null;
  if (targets.size >= MAX_TARGETS) targets.delete(targets.keys().next().value!);
  targets.set(url, target);
  return target;
}

/** The request's headers as node:http takes them (the SDKs hand over a Headers object: read it without a copy). */
function plainHeaders(given: RequestInit['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  (given instanceof Headers ? given : new Headers(given)).forEach((value, name) => (headers[name] = value));
  return headers;
}

/**
 * A fetch for SDK clients whose calls are small JSON requests answered by one JSON body, made with node:http on
 * keep-alive agents. Node's built-in fetch runs every call through web streams, Request/Response bookkeeping and
 * transferable abort signals: at 128 calls in flight that cost more worker CPU per call than everything else an eval
 * case does. Answers are read whole and handed over as a BufferedResponse (no web stream unless one asks for `body`),
 * so streamed answers (SSE, JSONL downloads) go through the built-in fetch: so does any request whose body is not a
 * string or bytes, and any Request object. Aborting `init.signal` aborts the request or the body read with an
 * AbortError, as fetch does.
 */
export const nodeFetch: typeof fetch = (input, init) => {
  const body = init?.body;
  const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  if (!plainBody || url === undefined) return fetch(input, init);
  const target = targetOf(url);
  if (!target) return fetch(input, init);
  return new Promise<Response>((resolve, reject) => {
    const request = (target.protocol === 'https:' ? https : http).request(
      {
        ...target,
        method: init?.method ?? 'GET',
        headers: plainHeaders(init?.headers),
        agent: agents[target.protocol],
        ...(init?.signal ? { signal: init.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => {
          const raw = res.rawHeaders;
          const headers: [string, string][] = [];
          for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
          const status = res.statusCode ?? 0;
          try {
            resolve(
              bufferedResponse(
                NULL_BODY.has(status) ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
                { status, statusText: res.statusMessage ?? '', headers },
              ),
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
