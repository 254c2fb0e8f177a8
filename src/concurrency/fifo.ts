/** A FIFO queue with O(1) amortised removal from the front (Array#shift is O(n) on a 100k-item queue). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(index = 0): T | undefined {
    return index < this.length ? this.items[this.head + index] : undefined;
  }

  /** Takes the first item off the queue. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    // Let go of it now rather than at the next compaction: a woken waiter's closure should not outlive it.
    this.items[this.head] = undefined as T;
    this.drop(1);
    return item;
  }

  /** Position of `item` from the front, or -1. */
  indexOf(item: T): number {
    const i = this.items.indexOf(item, this.head);
    return i < 0 ? -1 : i - this.head;
  }

  /** The first n items, left in place. */
  take(n: number): T[] {
    return this.items.slice(this.head, this.head + n);
  }

  /** Drops the first n items. */
  drop(n: number): void {
    this.head += Math.min(n, this.length);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  removeAt(index: number): T | undefined {
    if (index >= this.length) return undefined;
    return this.items.splice(this.head + index, 1)[0];
  }

  /** Empties the queue, returning what it held. */
  clear(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}
