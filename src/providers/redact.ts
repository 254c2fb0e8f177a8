import { errorMessage, errorName, networkCode } from './error-shape';

// The one redaction module: every value that is printed (config errors, CLI output, logs, API and
// failure messages, reports) goes through redact(), and every URL through redactUrl() or webhookOrigin().
// Every API key a provider is built with, and every secret the config holds (see registerConfigSecrets),
// is registered here, so any error text can be scrubbed without each caller knowing the secret.
const secrets = new Set<string>();

// Shorter strings would redact ordinary words in messages; real API keys are far longer.
const MIN_SECRET_LENGTH = 8;

// Well-known key shapes, caught even when the key was never registered (e.g. read from the env by other code).
// OpenAI keys: sk-…, sk-proj-…, sk-svcacct-… (the sk-ant- pattern runs first and is a subset).
const KEY_PATTERNS: readonly RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /AIza[0-9A-Za-z_-]{30,}/g,
  // A word start and a digit somewhere, so names such as risk-assessment-guidelines are left alone.
  /\bsk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}/g,
];

// A bearer credential wherever it is printed: an Authorization header dumped with a request, or a bare `Bearer x`.
const AUTHORIZATION_PATTERNS: readonly RegExp[] = [
  // At least 8 characters and no angle brackets, so a placeholder in help text ("Bearer <token>") survives.
  /(authorization["']?\s*[:=]\s*["']?)(?:bearer\s+)?[^\s"',}<>]{8,}/gi,
  // Case-sensitive and with a digit, dash or underscore in it, so prose such as "Bearer authentication" survives.
  /(Bearer\s+)(?=[A-Za-z0-9._~+/=-]*[0-9_-])[A-Za-z0-9._~+/=-]{8,}/g,
];

export const REDACTED = '[redacted]';

export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= MIN_SECRET_LENGTH) secrets.add(secret);
}

export function redact(text: string, extraSecrets: readonly (string | undefined)[] = []): string {
  let out = text;
  // Longest first: a secret that contains another (a webhook URL and its path) goes as a whole.
  const all = [...secrets, ...extraSecrets].filter((s): s is string => !!s && s.length >= MIN_SECRET_LENGTH);
  for (const secret of all.sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(REDACTED);
  }
  for (const pattern of KEY_PATTERNS) out = out.replace(pattern, REDACTED);
  for (const pattern of AUTHORIZATION_PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}

/**
 * A URL fit to print: user name, password, query string and fragment removed (a database URL carries its
 * password in the user info; tokens often ride in the query string). What cannot be parsed is cut by
 * pattern instead, so a malformed URL in a config error is still shown without its secrets.
 */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return redact(raw.replace(/\/\/[^/]*@/, '//').replace(/[?#].*$/s, ''));
  }
}

/** A webhook URL fit to print: its path is the secret (Slack, Teams), so only scheme and host are shown. */
export function webhookOrigin(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(an unparseable URL)';
  }
}

/** The secret parts of a URL: its password, and with `whole` the URL itself, its path and its query. */
export function urlSecrets(raw: string | undefined, whole = false): string[] {
  if (!raw) return [];
  try {
    const u = new URL(raw);
    const parts = [decodeURIComponent(u.password), u.password, u.search.slice(1)];
    if (whole) parts.push(raw, u.pathname, `${u.pathname}${u.search}`);
    return parts.filter((p) => p.length >= MIN_SECRET_LENGTH && p !== '/');
  } catch {
    return whole ? [raw] : [];
  }
}

/**
 * Registers the secrets the configuration holds, so redact() scrubs them from any text in this process:
 * API keys, the API token, the whole webhook URL and its path. The database password is not registered:
 * development passwords are often ordinary words ("refinery") that would be cut out of every message;
 * the database URL is printed only through redactUrl(), and the driver's errors do not repeat it.
 */
export function registerConfigSecrets(c: {
  anthropic: { apiKey?: string };
  gemini: { apiKey?: string };
  openai?: { apiKey?: string };
  api: { token?: string };
  webhook?: { url: string; secret?: string };
}): void {
  for (const s of [
    c.anthropic.apiKey,
    c.gemini.apiKey,
    c.openai?.apiKey,
    c.api.token,
    c.webhook?.secret,
    ...urlSecrets(c.webhook?.url, true),
  ])
    registerSecret(s);
}

/**
 * A secret-free stand-in for an SDK error, for use as `cause`: the original may carry headers, request
 * options or a nested cause chain that we cannot vouch for.
 */
export function sanitizedCause(err: unknown): Error {
  const cause = new Error(redact(errorMessage(err)));
  cause.name = errorName(err) ?? 'Error';
  // Node's own network errors keep the useful part (ECONNREFUSED, ETIMEDOUT...) in a nested cause.
  const code = networkCode(err);
  if (code) Object.assign(cause, { code });
  return cause;
}
