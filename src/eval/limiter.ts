import { Semaphore } from '../concurrency/semaphore';

/**
 * Adaptive concurrency for provider calls: additive increase, multiplicative decrease. A 429 halves
 * the limit (never below 1); each run of `limit` successes adds one slot back, up to the configured
 * maximum. The shared semaphore hands a released slot straight to the longest waiter, so no caller can
 * jump the queue.
 */
export class AdaptiveLimiter {
  private successes = 0;
  private readonly slots: Semaphore;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`concurrency must be a whole number ≥ 1, got ${max}`);
    this.slots = new Semaphore(max);
  }

  get limit(): number {
    return this.slots.limit;
  }

  get inFlight(): number {
    return this.slots.inFlight;
  }

  acquire(): Promise<void> {
    return this.slots.acquire();
  }

  release(outcome: 'ok' | 'throttled' | 'error'): void {
    // The limit moves before the slot is handed on, so a 429 stops the very next hand-over.
    if (outcome === 'throttled') {
      this.slots.limit = Math.max(1, Math.floor(this.slots.limit / 2));
      this.successes = 0;
    } else if (outcome === 'ok' && this.slots.limit < this.max && ++this.successes >= this.slots.limit) {
      this.slots.limit++;
      this.successes = 0;
    }
    this.slots.release();
  }
}
