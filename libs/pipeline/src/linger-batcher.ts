export interface LingerBatcherOptions<T> {
  /** Flush as soon as the pending items weigh this much (records, bytes…). */
  maxWeight: number;
  /** Flush at most this long after the first pending item arrived. */
  lingerMs: number;
  /** Flushes that may run at once (default 1: batches then complete in arrival order). */
  maxConcurrentFlushes?: number;
  weigh: (item: T) => number;
  /** Handles its own failures; a rejection is reported to onError and the items are dropped from the batcher. */
  flush: (items: T[]) => Promise<void>;
  onError: (error: unknown) => void;
}

/**
 * Accumulates items into batches by weight or time, whichever comes first,
 * and runs at most `maxConcurrentFlushes` flushes at once. While every flush
 * slot is busy, new items wait; once one frees, they go out in batches that
 * end with the item reaching `maxWeight`, as when nothing waits, so a stall
 * downstream never makes a batch larger than its sink was sized for. This is the
 * stateful piece of a pipeline stage; its memory is bounded by whatever feeds
 * it (a consumer's prefetch).
 */
export class LingerBatcher<T> {
  private pending: T[] = [];
  private pendingWeight = 0;
  private timer?: NodeJS.Timeout;
  private due = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxConcurrentFlushes: number;

  constructor(private readonly options: LingerBatcherOptions<T>) {
    this.maxConcurrentFlushes = options.maxConcurrentFlushes ?? 1;
  }

  add(item: T): void {
    this.pending.push(item);
    this.pendingWeight += this.options.weigh(item);
    if (this.pendingWeight >= this.options.maxWeight) {
      this.trigger();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.trigger();
      }, this.options.lingerMs);
    }
  }

  get size(): number {
    return this.pending.length;
  }

  /** Flushes everything pending and resolves when no flush is running. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0 || this.pending.length > 0) {
      this.trigger();
      await Promise.race(this.inFlight);
    }
  }

  /** Flushes what is pending, a batch per free slot; what no slot can take yet is due when one frees. */
  private trigger(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = false;
    while (this.pending.length > 0) {
      if (this.inFlight.size >= this.maxConcurrentFlushes) {
        this.due = true;
        return;
      }
      this.flushNext();
    }
  }

  private flushNext(): void {
    let count = 0;
    let weight = 0;
    while (count < this.pending.length && weight < this.options.maxWeight) {
      weight += this.options.weigh(this.pending[count]);
      count++;
    }
    const batch = this.pending.splice(0, count);
    this.pendingWeight -= weight;
    const flushing: Promise<void> = this.options
      .flush(batch)
      .catch((error: unknown) => this.options.onError(error))
      .finally(() => {
        this.inFlight.delete(flushing);
        // Items added meanwhile either hit the weight or the linger (→ due) or still have their timer armed.
        if (this.due) this.trigger();
      });
    this.inFlight.add(flushing);
  }
}
