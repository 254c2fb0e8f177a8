import { redact, webhookOrigin } from './providers/redact';

/**
 * POSTs a Slack-compatible JSON payload to REFINERY_WEBHOOK_URL. Throws when the receiver fails, so an
 * activity can retry; best-effort callers (rollout events, emergency rollback) catch it. The error names
 * the webhook by scheme and host only (its path is the secret) and carries no cause that could hold the URL.
 */
export async function postWebhook(url: string, payload: Record<string, unknown>, timeoutMs = 10_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
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
