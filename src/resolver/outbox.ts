import { ApiError, type ApiClient } from './api-client';
import { backoffMs, sleep } from './backoff';
import { ResolverError } from './errors';
import { Fifo } from '../concurrency/fifo';

export type OutboxKind = 'runs' | 'feedback';

interface Item {
  /** Order of recording across both queues: feedback waits for every run recorded before it. */
  seq: number;
  /** When it was queued (ms), for maxDelayMs. */
  at: number;
  id: string;
  body: Record<string, unknown>;
}

export interface OutboxOptions {
  maxItems: number;
  maxDelayMs: number;
  maxQueue: number;
  retryBaseMs: number;
  retryMaxMs: number;
  sendTimeoutMs: number;
}

/** While close() drains, retries come at least this often so several fit before its deadline. */
const DRAIN_RETRY_MAX_MS = 1000;

/**
 * Runs and feedback on their way to the API: queued in memory, sent in batches (a full batch at once,
 * a partial one after maxDelayMs), one request at a time, runs before any feedback recorded after them
 * so feedback can name its run. A batch leaves the queue only when the API accepted it, so a failure
 * retries the same items (with backoff); their ids make redelivery harmless.
 *
 * What is dropped, always reported through onError with the ids: an item the API refuses with a 4xx
 * problem naming it (or the whole batch for a 4xx naming none, e.g. a bad token), new items while the
 * queue holds maxQueue, and whatever close() could not deliver by its deadline.
 */
export class Outbox {
  private readonly queues: Record<OutboxKind, Fifo<Item>> = { runs: new Fifo(), feedback: new Fifo() };
  private seq = 0;
  /** Items with seq up to this go out without waiting for a full batch (flush, close). */
  private flushTarget = 0;
  private failures = 0;
  private retryAt = 0;
  /** The server's Retry-After: nothing is sent before it, not even while close() drains. */
  private notBefore = 0;
  /** Lowered after a 413 (body too large), back to maxItems after a success. */
  private batchLimit: number;
  private pumping: Promise<void> | undefined;
  private kicked = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private overflowing = false;
  private draining = false;
  private deadline = Infinity;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly waiters: Array<{ target: number; resolve: () => void }> = [];
  dropped = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly opts: OutboxOptions,
    private readonly report: (err: ResolverError) => void,
  ) {
    this.batchLimit = opts.maxItems;
  }

  queued(kind: OutboxKind): number {
    return this.queues[kind].length;
  }

  get size(): number {
    return this.queues.runs.length + this.queues.feedback.length;
  }

  enqueue(kind: OutboxKind, id: string, body: Record<string, unknown>): void {
    if (this.draining) {
      this.dropped++;
      this.report(
        new ResolverError('closed', `the resolver is closed: ${kind} item ${id} was not recorded`, { ids: [id] }),
      );
      return;
    }
    if (this.size >= this.opts.maxQueue) {
      this.dropped++;
      // Once per overflow, not once per item: a stuck API would otherwise turn every call into a log line.
      if (!this.overflowing) {
        this.overflowing = true;
        this.report(
          new ResolverError(
            'queue-full',
            `${this.size} runs and feedback are waiting to be sent (the API is slow or down): new items are dropped until the queue drains (first dropped: ${kind} ${id}); see stats().dropped`,
            { ids: [id] },
          ),
        );
      }
      return;
    }
    this.overflowing = false;
    this.queues[kind].push({ seq: ++this.seq, at: Date.now(), id, body });
    if (this.queues[kind].length >= this.opts.maxItems) this.kick();
    else if (!this.pumping) this.schedule();
  }

  /** Sends what is queued now; resolves once it is delivered (or dropped), or after timeoutMs. */
  async flush(timeoutMs: number): Promise<{ pending: number }> {
    const target = this.seq;
    this.flushTarget = Math.max(this.flushTarget, target);
    this.kick();
    await this.settled(target, timeoutMs);
    return { pending: this.pendingUpTo(target) };
  }

  /**
   * close(): refuses new items, retries what is queued until timeoutMs, then gives up on the rest,
   * reporting their ids. Nothing runs afterwards.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    this.deadline = Date.now() + timeoutMs;
    this.flushTarget = Infinity;
    this.retryAt = Math.max(this.notBefore, Math.min(this.retryAt, Date.now() + DRAIN_RETRY_MAX_MS));
    this.kick();
    await this.settled(this.seq, timeoutMs);
    this.stopped = true;
    this.abort.abort(); // the send in flight, if any, at the deadline
    clearTimeout(this.timer);
    await this.pumping;
    const left = [
      ...this.queues.runs.clear().map((i) => ['runs', i.id]),
      ...this.queues.feedback.clear().map((i) => ['feedback', i.id]),
    ];
    if (left.length === 0) return;
    this.dropped += left.length;
    const runs = left.filter(([k]) => k === 'runs').length;
    this.report(
      new ResolverError(
        'undelivered',
        `close() gave up after ${timeoutMs} ms: ${runs} runs and ${left.length - runs} feedback items were not delivered (the API did not accept them in time); their ids are in err.ids`,
        { ids: left.map(([, id]) => id!) },
      ),
    );
  }

  private pendingUpTo(target: number): number {
    let n = 0;
    for (const q of Object.values(this.queues)) {
      for (let i = 0; i < q.length && q.peek(i)!.seq <= target; i++) n++;
    }
    return n;
  }

  private async settled(target: number, timeoutMs: number): Promise<void> {
    if (this.pendingUpTo(target) === 0) return;
    const stop = new AbortController();
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    // Ref'd on purpose: an application awaiting flush/close at exit must not exit before it ends.
    await Promise.race([done, sleep(timeoutMs, stop.signal, true)]);
    stop.abort();
  }

  private wakeWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.pendingUpTo(w.target) === 0) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Runs the sender soon (not inside the caller's stack: recordRun must stay cheap). */
  private kick(): void {
    if (this.kicked || this.stopped) return;
    this.kicked = true;
    queueMicrotask(() => {
      this.kicked = false;
      void this.pump();
    });
  }

  private pump(): Promise<void> {
    this.pumping ??= this.sendLoop().finally(() => {
      this.pumping = undefined;
      this.wakeWaiters();
    });
    return this.pumping;
  }

  private async sendLoop(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      const batch = now >= this.retryAt ? this.dueBatch(now) : undefined;
      if (!batch) break;
      await this.send(batch.kind, batch.items);
      this.wakeWaiters();
    }
    this.schedule();
  }

  /** The next batch to send now, if one is due: the older queue head goes first. */
  private dueBatch(now: number): { kind: OutboxKind; items: Item[] } | undefined {
    const runs = this.queues.runs;
    const feedback = this.queues.feedback;
    const r = runs.peek();
    const f = feedback.peek();
    const head = r && (!f || r.seq < f.seq) ? r : f;
    if (!head) return undefined;
    const due =
      runs.length >= this.opts.maxItems ||
      feedback.length >= this.opts.maxItems ||
      now - head.at >= this.opts.maxDelayMs ||
      head.seq <= this.flushTarget;
    if (!due) return undefined;
    if (head === r) return { kind: 'runs', items: runs.take(this.batchLimit) };
    // Feedback only up to the first unsent run: a later item may refer to it.
    const items = feedback.take(this.batchLimit);
    const firstRun = r?.seq ?? Infinity;
    return { kind: 'feedback', items: items.filter((i) => i.seq < firstRun) };
  }

  private schedule(): void {
    if (this.stopped) return;
    const r = this.queues.runs.peek();
    const f = this.queues.feedback.peek();
    const head = r && (!f || r.seq < f.seq) ? r : f;
    if (!head) return;
    const full = this.queues.runs.length >= this.opts.maxItems || this.queues.feedback.length >= this.opts.maxItems;
    const at = Math.max(this.retryAt, full || head.seq <= this.flushTarget ? 0 : head.at + this.opts.maxDelayMs);
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.kick();
      },
      Math.max(0, at - Date.now()),
    );
    this.timer.unref(); // a queued batch alone must not keep the process alive; flush/close wait ref'd
  }

  private async send(kind: OutboxKind, items: Item[]): Promise<void> {
    const queue = this.queues[kind];
    try {
      await this.api.request('POST', `/v1/${kind}`, {
        body: { [kind]: items.map((i) => i.body) },
        timeoutMs: Math.max(1, Math.min(this.opts.sendTimeoutMs, this.deadline - Date.now())),
        signal: this.abort.signal,
      });
      queue.drop(items.length);
      this.failures = 0;
      this.retryAt = 0;
      this.notBefore = 0;
      this.batchLimit = this.opts.maxItems;
    } catch (err) {
      if (this.stopped) return; // close()'s deadline: what is left is reported there
      this.failed(kind, items, err);
    }
  }

  private failed(kind: OutboxKind, items: Item[], err: unknown): void {
    const queue = this.queues[kind];
    if (err instanceof ApiError && err.retryable) {
      this.failures++;
      const cap = this.draining ? DRAIN_RETRY_MAX_MS : this.opts.retryMaxMs;
      // A Retry-After (429 from the per-token rate limit, 503) is honoured as given, past the backoff cap:
      // sending sooner is refused again and spends the budget of every sender sharing the token.
      const wait = err.retryAfterMs ?? backoffMs(this.failures, this.opts.retryBaseMs, cap);
      this.retryAt = Date.now() + wait;
      this.notBefore = err.retryAfterMs === undefined ? 0 : this.retryAt;
      if (this.failures === 1) {
        this.report(
          new ResolverError(
            'send-retrying',
            `sending ${items.length} ${kind} failed (${err.message}); they stay queued and are retried with backoff`,
            {
              status: err.status,
              detail: err.detail,
              cause: err,
            },
          ),
        );
      }
      return;
    }
    if (err instanceof ApiError && err.status === 413 && items.length > 1) {
      this.batchLimit = Math.max(1, Math.floor(items.length / 2));
      return;
    }
    const index = err instanceof ApiError ? itemIndex(err.field, kind) : undefined;
    if (index !== undefined && index < items.length) {
      // The API validates the whole batch before storing any of it: drop the culprit, resend the rest.
      const bad = queue.removeAt(index)!;
      this.dropped++;
      const problem = err as ApiError;
      this.report(
        new ResolverError(
          'item-rejected',
          `the API refused ${kind} item ${bad.id} and it was dropped: ${problem.detail ?? problem.message}`,
          {
            status: problem.status,
            detail: problem.detail,
            field: problem.field,
            ids: [bad.id],
            cause: err,
          },
        ),
      );
      return;
    }
    // A refusal naming no item (a bad token, a missing role, an unserialisable body) will not change on
    // retry: drop the batch rather than block everything behind it, and say so.
    queue.drop(items.length);
    this.dropped += items.length;
    const problem = err instanceof ApiError ? err : undefined;
    this.report(
      new ResolverError(
        'item-rejected',
        `the API refused a batch of ${items.length} ${kind} and it was dropped: ${problem?.detail ?? String(err)}`,
        {
          status: problem?.status,
          detail: problem?.detail,
          field: problem?.field,
          ids: items.map((i) => i.id),
          cause: err,
        },
      ),
    );
  }
}

/** The item a problem's field names, e.g. `runs[3].version` → 3. */
function itemIndex(field: string | undefined, kind: OutboxKind): number | undefined {
  const m = field ? new RegExp(`^${kind}\\[(\\d+)\\]`).exec(field) : null;
  return m ? Number(m[1]) : undefined;
}
