import { Fifo } from './fifo';

/** How a caller waits for a slot: `urgent` waiters are served before every normal one; `signal` gives up waiting. */
export interface AcquireOptions {
  urgent?: boolean;
  signal?: AbortSignal;
}

type Waiter = () => void;

// Returned by every uncontended acquire, so the hot path allocates nothing.
const GRANTED: Promise<void> = Promise.resolve();

/**
 * The one counting semaphore of the code base: provider calls in the eval engine (under an adaptive limit),
 * background refreshes in the resolver (urgent ones first) and script workers in the assertion runner.
 *
 * A released slot is handed straight to the longest waiter (urgent ones first), so `inFlight` never dips while
 * someone waits and a newcomer can never overtake the queue. The limit can change at any time: raising it wakes
 * waiters at once; lowering it never takes a slot back, it only stops handing slots out until enough are released.
 */
export class Semaphore {
  private active = 0;
  private cap: number;
  // Fifo, not an array: Array#shift copies on large queues, and 20,000 eval cases can wait at once.
  private readonly urgent = new Fifo<Waiter>();
  private readonly normal = new Fifo<Waiter>();

  constructor(limit: number) {
    this.cap = checkLimit(limit);
  }

  get limit(): number {
    return this.cap;
  }

  set limit(limit: number) {
    this.cap = checkLimit(limit);
    this.wake();
  }

  /** Slots held right now. */
  get inFlight(): number {
    return this.active;
  }

  /** Callers queued for a slot. */
  get waiting(): number {
    return this.urgent.length + this.normal.length;
  }

  /** Takes a slot if one is free and nobody is queued ahead; never waits. */
  tryAcquire(): boolean {
    if (this.active >= this.cap || this.waiting > 0) return false;
    this.active++;
    return true;
  }

  /**
   * Resolves once the caller holds a slot; it must then call `release()` exactly once. If `signal` aborts while
   * waiting, the promise rejects with the signal's reason and no slot is held.
   */
  acquire(options?: AcquireOptions): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.tryAcquire()) return GRANTED;
    const queue = options?.urgent ? this.urgent : this.normal;
    // The releasing side counts the slot as ours before it wakes us.
    if (!signal) return new Promise<void>((resolve) => queue.push(resolve));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        // Not found: already woken, so the slot is ours and the caller releases it as usual.
        const at = queue.indexOf(waiter);
        if (at < 0) return;
        queue.removeAt(at);
        reject(abortReason(signal));
      };
      const waiter = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  }

  /** Gives a slot back, handing it to the next waiter if the limit allows. */
  release(): void {
    if (this.active === 0) throw new Error('Semaphore.release() called without a held slot: release once per acquire');
    this.active--;
    this.wake();
  }

  /** Runs `task` holding a slot, and releases it however the task ends. */
  async run<T>(task: () => Promise<T>, options?: AcquireOptions): Promise<T> {
    // Skipping the await when a slot is free starts the task in the caller's tick, as a plain call would.
    if (options?.signal || !this.tryAcquire()) await this.acquire(options);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private wake(): void {
    while (this.active < this.cap) {
      const next = this.urgent.shift() ?? this.normal.shift();
      if (!next) return;
      this.active++;
      next();
    }
  }
}

// The signal's own reason (an AbortError unless the caller gave one), so callers can tell aborts apart.
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`gave up waiting for a slot: ${String(reason)}`);
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`a semaphore limit must be a whole number ≥ 1, got ${limit}`);
  return limit;
}
