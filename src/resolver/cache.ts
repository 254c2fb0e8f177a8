import type { Resolved } from './types';

export type CachedValue = Omit<Resolved, 'source'>;

export interface Entry {
  key: string;
  name: string;
  label: string;
  unit: string | undefined;
  value: CachedValue;
  origin: 'api' | 'fallback';
  /** Fetched once the change feed's head was known, so no later move can be missed. */
  sinceHead: boolean;
  /** The last re-fetch failed, or the change feed is down: the value may be outdated. */
  stale: boolean;
  /** The re-fetch in progress; `again` asks for one more after it (a move arrived meanwhile). */
  refreshing?: Promise<void>;
  again: boolean;
}

export const entryKey = (name: string, label: string, unit: string | undefined): string =>
  `${name}\u0000${label}\u0000${unit ?? ''}`;

/**
 * The resolver's answers, per (name, label, unit). Least recently used first out past maxEntries, so
 * per-unit entries (one per user, say) cannot grow without bound. Indexed by name as well, because a
 * label move is announced by name.
 */
export class EntryCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byName = new Map<string, Set<string>>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Re-insert to mark it recently used (a Map iterates in insertion order).
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(entry: Entry): void {
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
    let keys = this.byName.get(entry.name);
    if (!keys) this.byName.set(entry.name, (keys = new Set()));
    keys.add(entry.key);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.values().next().value!;
      this.entries.delete(oldest.key);
      this.byName.get(oldest.name)?.delete(oldest.key);
      if (this.byName.get(oldest.name)?.size === 0) this.byName.delete(oldest.name);
    }
  }

  ofName(name: string): Entry[] {
    return [...(this.byName.get(name) ?? [])].map((k) => this.entries.get(k)!).filter(Boolean);
  }

  all(): Entry[] {
    return [...this.entries.values()];
  }
}
