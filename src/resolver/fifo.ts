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
