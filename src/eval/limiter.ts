/**
 * Adaptive concurrency for provider calls: additive increase, multiplicative decrease. A 429 halves
 * the limit (never below 1); each run of `limit` successes adds one slot back, up to the configured
 * maximum. A released slot is handed straight to the longest waiter, so no caller can jump the queue.
 */
export class AdaptiveLimiter {
  private active = 0;
  private successes = 0;
  private readonly waiting: (() => void)[] = [];
  limit: number;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`concurrency must be a whole number ≥ 1, got ${max}`);
    this.limit = max;
  }

  get inFlight(): number {
    return this.active;
  }

  async acquire(): Promise<void> {
    if (this.active < this.limit && this.waiting.length === 0) {
      this.active++;
      return;
    }
    // The releasing side counts the slot as ours before waking us.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(outcome: 'ok' | 'throttled' | 'error'): void {
    this.active--;
    if (outcome === 'throttled') {
      this.limit = Math.max(1, Math.floor(this.limit / 2));
      this.successes = 0;
    } else if (outcome === 'ok' && this.limit < this.max && ++this.successes >= this.limit) {
      this.limit++;
      this.successes = 0;
    }
    while (this.waiting.length > 0 && this.active < this.limit) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}
