import { errorMessage, errorName, networkCode } from './error-shape';

// Every API key a provider is built with is registered here, so any error text leaving this module tree
// (ProviderError messages, causes, Temporal failures) can be scrubbed without each caller knowing the key.
const secrets = new Set<string>();

// Shorter strings would redact ordinary words in messages; real API keys are far longer.
const MIN_SECRET_LENGTH = 8;

// Well-known key shapes, caught even when the key was never registered (e.g. read from the env by other code).
const KEY_PATTERNS: readonly RegExp[] = [/sk-ant-[A-Za-z0-9_-]{8,}/g, /AIza[0-9A-Za-z_-]{30,}/g];

export const REDACTED = '[redacted]';

export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= MIN_SECRET_LENGTH) secrets.add(secret);
}

export function redact(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of [...secrets, ...extraSecrets]) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(REDACTED);
  }
  for (const pattern of KEY_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
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
