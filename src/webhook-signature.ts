import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed webhooks (REFINERY_WEBHOOK_SECRET). Slack's incoming webhooks trust their secret path; any other receiver
 * (an incident tool, a chat bridge, your own endpoint) can check that a POST came from Refinery and is fresh. The
 * scheme is the one Slack and Stripe use for their own requests: an HMAC-SHA256 over `<timestamp>.<body>`, sent as
 * `x-refinery-signature: v1=<hex>` beside `x-refinery-timestamp: <unix seconds>`, so a captured request cannot be
 * replayed once the receiver's tolerance has passed.
 */
export const SIGNATURE_HEADER = 'x-refinery-signature';
export const TIMESTAMP_HEADER = 'x-refinery-timestamp';
/** How old a signed request a receiver accepts by default: clocks drift, retries wait. */
export const DEFAULT_TOLERANCE_S = 300;
/** Shorter secrets are refused at start: a guessable key signs nothing. */
export const MIN_SECRET_LENGTH = 16;

/** The headers that sign body, sent at timestampS (unix seconds). */
export function webhookSignatureHeaders(secret: string, body: string, timestampS: number): Record<string, string> {
  return {
    [TIMESTAMP_HEADER]: String(timestampS),
    [SIGNATURE_HEADER]: `v1=${mac(secret, timestampS, body)}`,
  };
}

/**
 * What is wrong with a received webhook's signature, or undefined when it is good: for receivers (and the tests) to
 * check a POST. body is the raw request body, byte for byte as received; headers as Node gives them (lower case).
 */
export function webhookSignatureProblem(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  opts: { nowS?: number; toleranceS?: number } = {},
): string | undefined {
  const stamp = one(headers[TIMESTAMP_HEADER]);
  const signature = one(headers[SIGNATURE_HEADER]);
  if (!stamp || !signature) return `no ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers: the POST is not signed`;
  const timestampS = Number(stamp);
  if (!/^\d+$/.test(stamp) || !Number.isSafeInteger(timestampS)) return `${TIMESTAMP_HEADER} is not unix seconds`;
  const nowS = opts.nowS ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceS ?? DEFAULT_TOLERANCE_S;
  const age = nowS - timestampS;
  if (Math.abs(age) > tolerance)
    return `signed ${Math.abs(age)} s ${age > 0 ? 'ago' : 'in the future'}, outside the ${tolerance} s tolerance: a replay, or a clock off`;
  const expected = Buffer.from(`v1=${mac(secret, timestampS, body)}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return 'the signature does not match the body: another secret, or a body changed on the way';
  return undefined;
}

function mac(secret: string, timestampS: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
