import { CliError, EXIT } from '../exit-codes';

export interface Remote {
  url: string;
  token: string;
}

/** Refuses an identity flag in remote mode: who acts is the API token's subject, nothing typed. */
export function refuseTypedIdentity(flag: string, value: string | undefined): void {
  if (value !== undefined)
    throw new CliError(
      `${flag} is refused in remote mode: the API token (REFINERY_API_TOKEN) decides who you are. Drop ${flag}, or unset REFINERY_API_URL to work on a local store.`,
    );
}

/**
 * One call to the Refinery API as the token's subject. A problem answer becomes one CLI line naming the
 * status and the server's detail (exit 2: the request was refused, nothing changed); an unreachable
 * server or a 5xx exits 1. The token never appears in a message.
 */
export async function apiCall<T = unknown>(remote: Remote, method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(remote, method, path, body);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.ok) return parsed as T;
  throw refusal(method, path, res, parsed, text);
}

/** A GET of raw bytes (a skill's binary file); a refusal is reported as apiCall reports it. */
export async function apiBytes(remote: Remote, path: string): Promise<Buffer> {
  const res = await send(remote, 'GET', path);
  if (res.ok) return Buffer.from(await res.arrayBuffer());
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  throw refusal('GET', path, res, parsed, text);
}

/** One request; a Buffer body goes as application/octet-stream, anything else as JSON. */
async function send(remote: Remote, method: string, path: string, body?: unknown): Promise<Response> {
  const bytes = Buffer.isBuffer(body);
  try {
    return await fetch(`${remote.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${remote.token}`,
        ...(body === undefined ? {} : { 'content-type': bytes ? 'application/octet-stream' : 'application/json' }),
      },
      body: body === undefined ? undefined : bytes ? new Uint8Array(body) : JSON.stringify(body),
    });
  } catch (err) {
    throw new CliError(
      `cannot reach the API at ${new URL(remote.url).origin} (${(err as Error).message}); check REFINERY_API_URL`,
      EXIT.failed,
    );
  }
}

/** A problem answer from the API: the CLI line, and the problem itself for a command that words it its own way. */
export class ApiRefusal extends CliError {
  constructor(
    message: string,
    exitCode: number,
    readonly status: number,
    readonly problem: Record<string, unknown>,
  ) {
    super(message, exitCode);
  }
}

function refusal(method: string, path: string, res: Response, parsed: unknown, text: string): ApiRefusal {
  const problem = (parsed ?? {}) as { detail?: string; title?: string; [member: string]: unknown };
  const detail = problem.detail ?? (text.slice(0, 200) || res.statusText);
  const hint =
    res.status === 401
      ? ' (check REFINERY_API_TOKEN)'
      : res.status === 403
        ? " (your token's role or subject does not allow this; ask an admin or the item's owner)"
        : '';
  return new ApiRefusal(
    `the API refused ${method} ${path}: ${res.status} ${problem.title ?? res.statusText}: ${detail}${hint}`,
    res.status >= 500 ? EXIT.failed : EXIT.badInput,
    res.status,
    problem,
  );
}

/** The path segment of a name, encoded. */
export const seg = (s: string) => encodeURIComponent(s);
