import { randomUUID } from 'node:crypto';
import { Semaphore } from '../concurrency/semaphore';
import { ApiClient, ApiError } from './api-client';
import { EntryCache, entryKey, type Entry } from './cache';
import { ChangeFollower, type LabelMoveEvent } from './changes';
import { ResolverError } from './errors';
import { Outbox } from './outbox';
import { feedbackBody, runBody } from './request-bodies';
import { fetchResolved, type ResolveTarget } from './remote';
import { resolveFailure } from './messages';
import { settingsFrom, type Settings } from './settings';
import { annotateActiveSpan } from './span';
import type {
  FeedbackInput,
  FeedbackResolution,
  GetOptions,
  Resolved,
  Resolver,
  ResolverOptions,
  ResolverStats,
  RunInput,
} from './types';

interface Load {
  target: ResolveTarget;
  promise: Promise<Entry>;
  /** A move of its name was announced while it was out: its answer may predate it. */
  moved: boolean;
  /** Sent after the change feed's head was known. */
  sinceHead: boolean;
}

/**
 * Background re-fetches in flight at once, so a safety refresh of thousands of entries does not burst the API;
 * urgent ones (a label just moved) jump the queue so a rollback is not stuck behind it.
 */
const REFRESH_CONCURRENCY = 8;

/**
 * The longest a process's first get waits for the change feed's head (normally one round trip): a feed
 * that hangs must not make it slow. Past it the answer is fetched anyway and checked again later.
 */
const HEAD_WAIT_MAX_MS = 500;

/**
 * The resolver applications embed: answers from memory, kept fresh by the change feed (and a slow
 * safety re-fetch), stale-but-served when the API is down; runs and feedback queued and batched.
 * Background work starts with the first get() and stops at close().
 */
export function createResolver(options: ResolverOptions): Resolver {
  return new LiveResolver(settingsFrom(options));
}

class LiveResolver implements Resolver {
  private readonly api: ApiClient;
  private readonly cache: EntryCache;
  private readonly loads = new Map<string, Load>();
  private readonly limiter = new Semaphore(REFRESH_CONCURRENCY);
  private readonly follower: ChangeFollower;
  private readonly outbox: Outbox;
  /** Aborts every resolve request and the long poll at close(). */
  private readonly abort = new AbortController();
  private safetyTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly s: Settings) {
    this.api = new ApiClient(s.baseUrl, s.token, s.fetch);
    this.cache = new EntryCache(s.maxEntries);
    this.follower = new ChangeFollower(
      this.api,
      {
        waitSeconds: s.changesWaitSeconds,
        marginMs: Math.max(5000, s.requestTimeoutMs),
        retryBaseMs: 250,
        retryMaxMs: 5000,
      },
      {
        moves: (moves) => this.onMoves(moves),
        connected: (first) => this.onConnected(first),
        failed: (err) => this.onFeedFailed(err),
      },
    );
    this.outbox = new Outbox(this.api, s.batch, (err) => this.report(err));
  }

  async get(name: string, opts: GetOptions = {}): Promise<Resolved> {
    const target: ResolveTarget = { name, label: opts.label ?? 'production', unit: opts.unit };
    const key = entryKey(target.name, target.label, target.unit);
    const hit = this.cache.get(key);
    if (hit) return this.answer(hit, false);
    if (this.closing) return this.answer(this.fallbackEntry(target, key, this.closedError(target)), true);
    this.startBackground();
    let load = this.loads.get(key);
    if (!load) {
      load = { target, moved: false, sinceHead: false } as Load;
      this.loads.set(key, load);
      load.promise = this.load(load, key);
    }
    return this.answer(await load.promise, true);
  }

  recordRun(run: RunInput): string {
    return this.record('runs', run?.id, (id) => runBody(run, id));
  }

  recordFeedback(feedback: FeedbackInput): string {
    return this.record('feedback', feedback?.id, (id) => feedbackBody(feedback, id));
  }

  flush(): Promise<{ pending: number }> {
    return this.outbox.flush(this.s.closeTimeoutMs);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.safetyTimer);
      this.abort.abort();
      await this.follower.stop();
      await Promise.allSettled([...this.loads.values()].map((l) => l.promise));
      await Promise.allSettled(this.cache.all().flatMap((e) => (e.refreshing ? [e.refreshing] : [])));
      await this.outbox.drain(this.s.closeTimeoutMs);
    })();
    return this.closing;
  }

  async feedbackResolution(feedbackId: string): Promise<FeedbackResolution | null> {
    if (typeof feedbackId !== 'string' || !feedbackId)
      throw new ResolverError('lookup-failed', 'feedbackResolution needs the feedback id recordFeedback returned');
    try {
      const res = await this.api.request<{ resolution: { name: string; version: number; resolvedAt: string } | null }>(
        'GET',
        `/v1/feedback/${encodeURIComponent(feedbackId)}`,
        { timeoutMs: this.s.requestTimeoutMs },
      );
      const r = res.body?.resolution;
      return r ? { feedbackId, name: r.name, version: r.version, resolvedAt: r.resolvedAt } : null;
    } catch (err) {
      const e = err as ApiError;
      throw new ResolverError('lookup-failed', `feedback "${feedbackId}": ${e.message}`, {
        status: e.status,
        detail: e.detail,
        field: e.field,
      });
    }
  }

  stats(): ResolverStats {
    return {
      entries: this.cache.size,
      changes: this.follower.state,
      queued: { runs: this.outbox.queued('runs'), feedback: this.outbox.queued('feedback') },
      dropped: this.outbox.dropped,
    };
  }

  private record(kind: 'runs' | 'feedback', given: unknown, body: (id: string) => Record<string, unknown>): string {
    const id = typeof given === 'string' && given ? given : randomUUID();
    try {
      this.outbox.enqueue(kind, id, body(id));
    } catch (err) {
      // recordRun/recordFeedback are called on the application's request path: they never throw.
      this.report(
        new ResolverError('item-rejected', `could not queue ${kind} item ${id}: ${String(err)}`, {
          ids: [id],
          cause: err,
        }),
      );
    }
    return id;
  }

  private answer(entry: Entry, fetched: boolean): Resolved {
    const source =
      entry.origin === 'fallback' ? 'fallback' : entry.stale || this.closing ? 'stale' : fetched ? 'api' : 'cache';
    const resolved: Resolved = { ...entry.value, source };
    // Instrumented model calls made under this span then report as runs of this version (POST /v1/traces).
    annotateActiveSpan(resolved);
    return resolved;
  }

  private startBackground(): void {
    this.follower.start();
    if (this.safetyTimer || this.s.refreshIntervalMs <= 0) return;
    this.safetyTimer = setInterval(() => this.refreshAll(), this.s.refreshIntervalMs);
    this.safetyTimer.unref();
  }

  /**
   * First fetch of an entry; the API failing, the fallback if there is one, else a clear rejection.
   * The process's first fetch waits (briefly) for the change feed's head: an answer fetched after it
   * cannot miss a move, one fetched before must be checked again once the feed is connected.
   */
  private async load(load: Load, key: string): Promise<Entry> {
    const { target } = load;
    try {
      await this.follower.whenHeadKnown(Math.min(HEAD_WAIT_MAX_MS, this.s.requestTimeoutMs));
      load.sinceHead = this.follower.headKnown;
      const value = await fetchResolved(this.api, target, {
        timeoutMs: this.s.requestTimeoutMs,
        signal: this.abort.signal,
      });
      if (value === 'unchanged') throw new ApiError('unexpected 304 without If-None-Match', 304);
      const entry: Entry = {
        key,
        ...target,
        value,
        origin: 'api',
        stale: false,
        again: false,
        sinceHead: load.sinceHead,
      };
      this.cache.set(entry);
      // A move announced while this request was out may not be in its answer: fetch once more.
      if (load.moved) void this.refresh(entry, true);
      return entry;
    } catch (err) {
      const problem = err instanceof ApiError ? err : new ApiError(String(err), undefined);
      const failure = resolveFailure(target, problem, this.s.baseUrl, Boolean(this.s.fallback[target.name]));
      if (!this.s.fallback[target.name]) throw failure;
      this.report(failure);
      return this.fallbackEntry(target, key, failure);
    } finally {
      this.loads.delete(key);
    }
  }

  /** The configured fallback, cached so later gets answer at once; re-fetched when the API answers again. */
  private fallbackEntry(target: ResolveTarget, key: string, failure: ResolverError): Entry {
    const fallback = this.s.fallback[target.name];
    if (!fallback) throw failure;
    const entry: Entry = {
      key,
      ...target,
      value: {
        name: target.name,
        label: target.label,
        version: fallback.version ?? 0,
        hash: '',
        content: fallback.content,
        link: '',
      },
      origin: 'fallback',
      stale: false,
      again: false,
      sinceHead: false,
    };
    this.cache.set(entry);
    return entry;
  }

  private closedError(target: ResolveTarget): ResolverError {
    return new ResolverError(
      'closed',
      `cannot resolve "${target.name}": the resolver is closed and never resolved it; resolve before close() or configure a fallback`,
    );
  }

  /**
   * Re-fetches one entry (If-None-Match). One request per entry at a time; a move arriving meanwhile
   * asks for one more, so the last answer applied was requested after the last move seen.
   */
  private refresh(entry: Entry, urgent: boolean): Promise<void> {
    if (this.closing) return Promise.resolve();
    if (entry.refreshing) {
      entry.again = true;
      return entry.refreshing;
    }
    entry.refreshing = (async () => {
      do {
        entry.again = false;
        await this.limiter.run(() => this.revalidate(entry), { urgent });
      } while (entry.again && !this.closing);
    })().finally(() => (entry.refreshing = undefined));
    return entry.refreshing;
  }

  private async revalidate(entry: Entry): Promise<void> {
    if (this.closing) return;
    try {
      const value = await fetchResolved(this.api, entry, {
        hash: entry.origin === 'api' ? entry.value.hash : undefined,
        timeoutMs: this.s.requestTimeoutMs,
        signal: this.abort.signal,
      });
      if (value !== 'unchanged') {
        entry.value = value;
        entry.origin = 'api';
      }
      entry.stale = false;
    } catch (err) {
      if (this.closing) return;
      // Keep serving the last good value; report the change to stale once, not on every retry.
      if (!entry.stale && entry.origin === 'api') {
        this.report(
          new ResolverError(
            'refresh-failed',
            `re-fetching "${entry.name}" (${entry.unit ? `unit ${entry.unit}` : `label ${entry.label}`}) failed (${(err as Error).message}); serving version ${entry.value.version} as stale`,
            { cause: err, status: err instanceof ApiError ? err.status : undefined },
          ),
        );
      }
      if (entry.origin === 'api') entry.stale = true;
    }
  }

  private refreshAll(): void {
    for (const entry of this.cache.all()) void this.refresh(entry, false);
  }

  private onMoves(moves: LabelMoveEvent[]): void {
    for (const move of moves) {
      // A unit's version may follow any label of its name (rollouts); a label entry only its own label.
      for (const entry of this.cache.ofName(move.name)) {
        if (entry.unit !== undefined || entry.label === move.label) void this.refresh(entry, true);
      }
      for (const load of this.loads.values()) if (load.target.name === move.name) load.moved = true;
    }
  }

  /**
   * First connection: re-check what was fetched before the feed's head was known, and fallbacks. After
   * an outage: re-check everything, which also clears `stale` (a refresh may have failed meanwhile).
   */
  private onConnected(first: boolean): void {
    for (const load of this.loads.values()) if (!first || !load.sinceHead) load.moved = true;
    for (const entry of this.cache.all()) {
      if (!first || !entry.sinceHead || entry.origin === 'fallback') void this.refresh(entry, false);
    }
  }

  private onFeedFailed(err: ApiError): void {
    for (const entry of this.cache.all()) if (entry.origin === 'api') entry.stale = true;
    this.report(
      new ResolverError(
        'changes-failed',
        `following label changes failed (${err.message}); serving cached values as stale and reconnecting with backoff`,
        { status: err.status, detail: err.detail, cause: err },
      ),
    );
  }

  private report(err: ResolverError): void {
    try {
      this.s.onError(err);
    } catch {
      // An onError that throws must not break the resolver (it is often called from a timer).
    }
  }
}
