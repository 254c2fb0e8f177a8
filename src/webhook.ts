import { redact, webhookOrigin } from './providers/redact';
import { webhookSignatureHeaders } from './webhook-signature';

/** Where alerts go (REFINERY_WEBHOOK_URL) and, when set, the key that signs them (REFINERY_WEBHOOK_SECRET). */
export interface Webhook {
  url: string;
  secret?: string;
}

/**
 * POSTs a Slack-compatible JSON payload to the webhook, signed when it has a secret. Throws when the receiver
 * fails, so an activity can retry; best-effort callers (rollout events, emergency rollback) catch it. The error
 * names the webhook by scheme and host only (its path is the secret) and carries no cause that could hold the URL.
 */
export async function postWebhook(hook: Webhook, payload: Record<string, unknown>, timeoutMs = 10_000): Promise<void> {
  const { url, secret } = hook;
  const body = JSON.stringify(payload);
  // Signed at each attempt: a retry an hour later carries a fresh timestamp, not a stale one the receiver refuses.
  const signature = secret ? webhookSignatureHeaders(secret, body, Math.floor(Date.now() / 1000)) : {};
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signature },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    const why = typeof code === 'string' ? code : redact((err as Error).message ?? String(err), [url]);
    throw new Error(`the webhook at ${webhookOrigin(url)} could not be reached (${why}); check REFINERY_WEBHOOK_URL`);
  }
  await res.body?.cancel();
  if (!res.ok)
    throw new Error(`the webhook at ${webhookOrigin(url)} answered ${res.status}; check REFINERY_WEBHOOK_URL`);
}
