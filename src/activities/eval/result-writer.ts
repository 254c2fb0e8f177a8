import type { Db, Queryable } from '../../store/db';
import { putCachedResponses, putResults, type CachedResponse, type StoredResult } from '../../store/evals';

/**
 * Group commit for a chunk's writes: the results and cache entries that arrive in one turn of the event loop go
 * to the store in one transaction, and what arrives while a transaction runs goes in the next one. At 128 calls
 * in flight a transaction per sample (two, with its cache entry) cost more than the provider's wait allowed; the
 * group adds no delay a sample could be lost in (a result counts as stored only once its transaction commits,
 * within the same turn when the store is SQLite). `put` stores one group's results inside the transaction (the eval
 * engine's per-run results, or the optimizer's per-candidate ones).
 */
export class GroupWriter<R> {
  private cache: (CachedResponse & { key: string })[] = [];
  private results: R[] = [];
  private waiters: { resolve(): void; reject(err: unknown): void }[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly put: (tx: Queryable, results: R[]) => Promise<void>,
  ) {}

  /** An answer for the response cache: written in the next group (before or with the result that used it). */
  cacheResponse(key: string, r: CachedResponse): void {
    this.cache.push({ key, text: r.text, inputTokens: r.inputTokens, outputTokens: r.outputTokens });
    this.schedule();
  }

  /** Stores a finished sample; resolves once committed (from then on a retry skips it), rejects if the write failed. */
  store(r: R): Promise<void> {
    this.results.push(r);
    const committed = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.schedule();
    return committed;
  }

  /** Resolves once everything handed over so far is written (or has failed, to its waiters). */
  async drained(): Promise<void> {
    while (this.scheduled || this.cache.length > 0 || this.results.length > 0) {
      this.flushSoon();
      await this.chain;
    }
    await this.chain;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushSoon());
  }

  /** Queues one write of everything pending at its turn; writes never overlap. */
  private flushSoon(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    this.chain = this.chain.then(() => this.write());
  }

  private async write(): Promise<void> {
    const cache = this.cache.splice(0);
    const results = this.results.splice(0);
    const waiters = this.waiters.splice(0);
    if (cache.length === 0 && results.length === 0) return;
    try {
      await this.db.transaction(async (tx) => {
        await putCachedResponses(tx, cache);
        await this.put(tx, results);
      });
      for (const w of waiters) w.resolve();
    } catch (err) {
      for (const w of waiters) w.reject(err);
    }
  }
}

/** The eval engine's writer: a chunk's samples go to the run's results. */
export class ResultWriter extends GroupWriter<StoredResult> {
  constructor(db: Db, runId: string) {
    super(db, (tx, results) => putResults(tx, runId, results));
  }
}
