import type { Db } from '../store/db';
import type { LibraryContent } from './content';
import { lastMoveSeq, movesSince, resolveLabel, type LabelMove } from './label-store';
import { activeRollout, FLAG_FEED_LABEL, type RolloutRow } from '../rollout/rollout-store';
import { getContent, getVersion } from './versions';

export interface ResolvedVersion {
  name: string;
  version: number;
  hash: string;
  content: LibraryContent;
}

const CONTENT_CACHE_LIMIT = 2000;

/**
 * Label → version answers from memory, kept fresh by following the label-move feed in the database.
 * Any process (another API instance, the CLI) may move a label: polling the feed's sequence every
 * pollMs bounds how stale an answer can be, with no cache TTL to wait out. Versions are immutable, so
 * their content is cached without expiry (bounded in count).
 */
export class LiveLabels {
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly labels = new Map<string, number>();
  private readonly contents = new Map<string, ResolvedVersion>();
  /** Active rollout per name (null: none), invalidated by the feed like labels. */
  private readonly rollouts = new Map<string, RolloutRow | null>();
  private readonly waiters = new Set<() => void>();
  private polling: Promise<void> | undefined;
  /** A poll that starts once the one in flight ends: for callers whose write came after that one read the feed. */
  private queued: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly pollMs = 100,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.seq = await lastMoveSeq(this.db);
    // The timer's tick joins a poll in flight: it only bounds staleness, it follows no write of its own.
    this.timer = setInterval(() => void (this.polling ?? this.poll()), this.pollMs);
    this.timer.unref();
  }

  /** Stops following the feed and answers every long poll now, including those that start later. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const wake of this.waiters) wake();
  }

  get currentSeq(): number {
    return this.seq;
  }

  /**
   * Checks the feed now (after a move through this process, so its own resolves see it at once). A poll already in
   * flight may have read the feed before the caller's write committed, so the caller gets a poll that starts after
   * it; callers meanwhile share that one.
   */
  poll(): Promise<void> {
    if (!this.polling) {
      this.polling = this.pollOnce().finally(() => (this.polling = undefined));
      return this.polling;
    }
    this.queued ??= this.polling.then(() => {
      this.queued = undefined;
      return this.poll();
    });
    return this.queued;
  }

  private async pollOnce(): Promise<void> {
    let moves: LabelMove[];
    try {
      moves = await movesSince(this.db, this.seq);
    } catch {
      return; // the database is briefly unavailable: keep serving what is cached, try again next tick
    }
    if (moves.length === 0) return;
    for (const m of moves) {
      if (m.label === FLAG_FEED_LABEL) this.rollouts.delete(m.name);
      else this.labels.delete(`${m.name}\u0000${m.label}`);
    }
    this.seq = moves[moves.length - 1]!.seq;
    for (const wake of [...this.waiters]) wake();
  }

  async resolve(name: string, label: string): Promise<ResolvedVersion> {
    const key = `${name}\u0000${label}`;
    let version = label === 'latest' ? undefined : this.labels.get(key);
    if (version === undefined) {
      const seq = this.seq;
      version = await resolveLabel(this.db, name, label);
      // A move the feed showed while this read was out may be newer than what it read: cache only an unraced answer.
      if (label !== 'latest' && this.seq === seq) this.labels.set(key, version);
    }
    return this.version(name, version);
  }

  /** The rollout splitting units of name right now, if any. */
  async rollout(name: string): Promise<RolloutRow | undefined> {
    if (this.rollouts.has(name)) return this.rollouts.get(name) ?? undefined;
    const seq = this.seq;
    const row = await activeRollout(this.db, name);
    if (this.seq === seq) this.rollouts.set(name, row ?? null);
    return row;
  }

  async version(name: string, version: number): Promise<ResolvedVersion> {
    const key = `${name}\u0000${version}`;
    const hit = this.contents.get(key);
    if (hit) return hit;
    const v = await getVersion(this.db, name, { version });
    if (!v) throw new Error(`"${name}" has no version ${version}`);
    const resolved = { name, version, hash: v.hash, content: await getContent(this.db, name, { version }) };
    if (this.contents.size >= CONTENT_CACHE_LIMIT) this.contents.delete(this.contents.keys().next().value!);
    this.contents.set(key, resolved);
    return resolved;
  }

  /** Resolves when a move after `since` exists, or after timeoutMs; returns the moves after since. */
  async changesSince(since: number, timeoutMs: number): Promise<{ seq: number; moves: LabelMove[] }> {
    if (this.seq <= since && timeoutMs > 0 && !this.stopped) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          this.waiters.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, timeoutMs);
        this.waiters.add(wake);
      });
    }
    const moves = await movesSince(this.db, since);
    return { seq: moves.length ? moves[moves.length - 1]!.seq : Math.max(since, this.seq), moves };
  }
}
