/**
 * A FIFO of at most `capacity` items that makes room by dropping its oldest
 * item, and says how many it dropped so the caller can account for them. A
 * ring, so a full buffer under a steady stream costs O(1) per item, not a
 * shift of the whole array.
 */
export class DropOldestBuffer<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends `item`; returns 1 when the buffer was full and its oldest item was dropped, else 0. */
  push(item: T): number {
    const full = this.count === this.capacity;
    this.slots[(this.head + this.count) % this.capacity] = item;
    if (full) this.head = (this.head + 1) % this.capacity;
    else this.count++;
    return full ? 1 : 0;
  }

  /** Removes and returns up to `max` of the oldest items, oldest first. */
  take(max: number): T[] {
    const items: T[] = [];
    while (items.length < max && this.count > 0) {
      items.push(this.slots[this.head] as T);
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    return items;
  }

  /**
   * Puts back in front items taken earlier (a batch that could not be sent):
   * they are older than anything buffered since, so when they no longer all
   * fit, the oldest of them are the ones dropped. Returns how many were dropped.
   */
  restore(items: readonly T[]): number {
    const kept = Math.min(items.length, this.capacity - this.count);
    for (let i = items.length - 1; i >= items.length - kept; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.slots[this.head] = items[i];
      this.count++;
    }
    return items.length - kept;
  }
}
