/**
 * The sliding window of one alert rule (docs/design.md §12): counts of
 * matching records per bucket of record time (`ts`, the time GET /api/logs
 * filters on, so the two count the same records), in a ring of fixed size.
 * Memory is bounded by the bucket count (≤ 3,600 plus a minute of future
 * buckets), whatever the rate; adding a record and sliding are O(1)
 * amortised, and the in-window total is kept, never summed.
 *
 * At time `now` the window is the `buckets` whole buckets ending with the one
 * holding `now`: [from, to) with `to` the end of the current bucket. A record
 * dated before `from` is not counted; one dated after `to` (clock skew) is
 * kept, up to {@link FUTURE_SECONDS}, and counts once its bucket slides in.
 */
export class WindowCounter {
  private readonly counts: Float64Array;
  private readonly keys: Float64Array;
  private readonly size: number;
  /** Exclusive end bucket of the window the total is for. */
  private end: number;
  private total = 0;

  constructor(
    readonly bucketSeconds: number,
    readonly buckets: number,
    nowMs: number,
  ) {
    this.size = buckets + Math.ceil(FUTURE_SECONDS / bucketSeconds) + 1;
    this.counts = new Float64Array(this.size);
    this.keys = new Float64Array(this.size).fill(-1);
    this.end = this.bucketOf(nowMs) + 1;
  }

  /** The bucket a time in ms falls in. */
  bucketOf(ms: number): number {
    return Math.floor(ms / 1000 / this.bucketSeconds);
  }

  /** Adds `n` records dated in `bucket`; false when the bucket is outside what the window keeps. */
  add(bucket: number, n = 1): boolean {
    if (bucket < this.end - this.buckets || bucket >= this.end + this.size - this.buckets) return false;
    const slot = this.slot(bucket);
    if (this.keys[slot] !== bucket) {
      this.keys[slot] = bucket;
      this.counts[slot] = 0;
    }
    this.counts[slot] += n;
    if (bucket < this.end) this.total += n;
    return true;
  }

  /** Slides the window to `nowMs` and returns the count in it. */
  count(nowMs: number): number {
    const end = this.bucketOf(nowMs) + 1;
    if (end > this.end) this.slide(end);
    return this.total;
  }

  /** The window's bounds in ms for the count last returned: [from, to). */
  range(): { fromMs: number; toMs: number } {
    const width = this.bucketSeconds * 1000;
    return { fromMs: (this.end - this.buckets) * width, toMs: this.end * width };
  }

  /** The first bucket still in the window. */
  firstBucket(): number {
    return this.end - this.buckets;
  }

  private slide(end: number): void {
    if (end - this.end >= this.size) {
      // Idle longer than the ring: every bucket it held is stale or now inside; recount from scratch.
      this.end = end;
      this.total = 0;
      for (let slot = 0; slot < this.size; slot++) {
        const key = this.keys[slot];
        if (key >= end - this.buckets && key < end) this.total += this.counts[slot];
      }
      return;
    }
    for (let bucket = this.end; bucket < end; bucket++) this.total += this.held(bucket);
    for (let bucket = this.end - this.buckets; bucket < end - this.buckets; bucket++)
      this.total -= this.held(bucket);
    this.end = end;
  }

  private held(bucket: number): number {
    const slot = this.slot(bucket);
    return this.keys[slot] === bucket ? this.counts[slot] : 0;
  }

  private slot(bucket: number): number {
    return ((bucket % this.size) + this.size) % this.size;
  }
}

/** How far ahead of now a record may be dated and still be kept for when its time comes. */
export const FUTURE_SECONDS = 60;
