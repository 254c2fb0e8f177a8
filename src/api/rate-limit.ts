/** Sustained requests per second and the burst a client may send at once. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** One bucket per key is kept for at most this many keys (least recently used out first). */
const MAX_KEYS = 10_000;

/**
 * Token buckets, one per key (a token's subject): each request takes one token; tokens come back at
 * perSecond up to burst. In memory, per API instance: with several instances behind a balancer a client
 * can send up to that many times the limit.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token for key: 0 when the request may go ahead, else the milliseconds until a token is back. */
  take(key: string): number {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.limit.burst, at: t };
    b.tokens = Math.min(this.limit.burst, b.tokens + ((t - b.at) / 1000) * this.limit.perSecond);
    b.at = t;
    this.buckets.delete(key); // re-inserted last: Map order is then least recently used first
    this.buckets.set(key, b);
    if (this.buckets.size > MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / this.limit.perSecond) * 1000);
  }
}

/** 50 requests a second (a resolver sends at most one batch of up to 1,000 items at a time), bursts of 100. */
export const DEFAULT_RECORD_RATE: RateLimit = { perSecond: 50, burst: 100 };
