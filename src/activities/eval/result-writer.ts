import type { Db, Queryable } from '../../store/db';
import { putCachedResponses, putResults, type CachedResponse, type StoredResult } from '../../store/evals';

/** What one writer hands to a group commit: its pending rows, how to store its results, and who waits for them. */
interface Pending {
  cache: (CachedResponse & { key: string })[];
  results: unknown[];
  put(tx: Queryable, results: unknown[]): Promise<void>;
  waiters: { resolve(): void; reject(err: unknown): void }[];
}

/**
 * The group commit of one store, shared by every writer on it: what all of them hand over in one turn of the event
 * loop goes in one transaction, and what arrives while it runs goes in the next. A writer per chunk committing on
 * its own made a transaction per chunk and turn (four chunks in parallel: four times the commits, each rewriting
 * the same index pages); one for all of them is the same latency with a quarter of the commits.
 */
class GroupCommit {
  private readonly pending = new Set<GroupWriter<unknown>>();
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  schedule(writer: GroupWriter<unknown>): void {
    this.pending.add(writer);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Whether `writer` has rows that no write has taken yet. */
  holds(writer: GroupWriter<unknown>): boolean {
    return this.pending.has(writer);
  }

  /** Queues one write of everything pending now (writes never overlap); resolves when the queue up to it is done. */
  flush(): Promise<void> {
    if (this.scheduled) {
      this.scheduled = false;
      const writers = [...this.pending];
      this.pending.clear();
      this.chain = this.chain.then(() => this.write(writers.map((w) => w.take())));
    }
    return this.chain;
  }

  private async write(groups: Pending[]): Promise<void> {
    const held = groups.filter((g) => g.cache.length > 0 || g.results.length > 0);
    if (held.length === 0) return;
    try {
      await this.db.transaction(async (tx) => {
        await putCachedResponses(
          tx,
          held.flatMap((g) => g.cache),
        );
        for (const g of held) if (g.results.length > 0) await g.put(tx, g.results);
      });
      for (const g of held) for (const w of g.waiters) w.resolve();
    } catch (err) {
      // One transaction: a failed write fails every sample it held (their chunks retry them).
      for (const g of held) for (const w of g.waiters) w.reject(err);
    }
  }
}

const commits = new WeakMap<Db, GroupCommit>();
function groupCommitOf(db: Db): GroupCommit {
  let commit = commits.get(db);
  if (!commit) commits.set(db, (commit = new GroupCommit(db)));
  return commit;
}

/**
 * Group commit for a chunk's writes: the results and cache entries that arrive in one turn of the event loop go to
 * the store in one transaction (with those of every other writer on the same store), and what arrives while a
 * transaction runs goes in the next one. At 128 calls in flight a transaction per sample (two, with its cache
 * entry) cost more than the provider's wait allowed; the group adds no delay a sample could be lost in (a result
 * counts as stored only once its transaction commits, within the same turn when the store is SQLite). `put` stores
 * one group's results inside the transaction (the eval engine's per-run results, or the optimizer's per-candidate
 * ones).
 */
export class GroupWriter<R> {
  private cache: (CachedResponse & { key: string })[] = [];
  private results: R[] = [];
  private waiters: { resolve(): void; reject(err: unknown): void }[] = [];
  private readonly commit: GroupCommit;

  constructor(
    db: Db,
    private readonly put: (tx: Queryable, results: R[]) => Promise<void>,
  ) {
    this.commit = groupCommitOf(db);
  }

  /** An answer for the response cache: written in the next group (before or with the result that used it). */
  cacheResponse(key: string, r: CachedResponse): void {
    this.cache.push({ key, text: r.text, inputTokens: r.inputTokens, outputTokens: r.outputTokens });
    this.commit.schedule(this as GroupWriter<unknown>);
  }

  /** Stores a finished sample; resolves once committed (from then on a retry skips it), rejects if the write failed. */
  store(r: R): Promise<void> {
    this.results.push(r);
    const committed = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.commit.schedule(this as GroupWriter<unknown>);
    return committed;
  }

  /** Resolves once everything handed over so far is written (or has failed, to its waiters). */
  async drained(): Promise<void> {
    const self = this as GroupWriter<unknown>;
    while (this.commit.holds(self)) await this.commit.flush();
    await this.commit.flush();
  }

  /** Everything pending, for the group commit's next write. */
  take(): Pending {
    return {
      cache: this.cache.splice(0),
      results: this.results.splice(0),
      put: this.put,
      waiters: this.waiters.splice(0),
    };
  }
}

/** The eval engine's writer: a chunk's samples go to the run's results. */
export class ResultWriter extends GroupWriter<StoredResult> {
  constructor(db: Db, runId: string) {
    super(db, (tx, results) => putResults(tx, runId, results));
  }
}
