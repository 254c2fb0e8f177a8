/**
 * At most `max` background re-fetches at once, so a safety refresh of thousands of entries does not
 * burst the API; urgent ones (a label just moved) jump the queue so a rollback is not stuck behind it.
 */
export class Limiter {
  private active = 0;
  private readonly urgent: Array<() => void> = [];
  private readonly normal: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>, urgent = false): Promise<T> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resolve) => (urgent ? this.urgent : this.normal).push(resolve));
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter, so active never dips and a newcomer cannot overtake.
      const next = this.urgent.shift() ?? this.normal.shift();
      if (next) next();
      else this.active--;
    }
  }
}
