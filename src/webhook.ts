/**
 * POSTs a Slack-compatible JSON payload to REFINERY_WEBHOOK_URL. Throws when the receiver fails, so an
 * activity can retry; best-effort callers (rollout events, emergency rollback) catch it.
 */
export async function postWebhook(url: string, payload: Record<string, unknown>, timeoutMs = 10_000): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`webhook answered ${res.status}; check REFINERY_WEBHOOK_URL`);
}
