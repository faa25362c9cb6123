import { LogRecord } from '@logyard/contracts';
import { settleWithin } from '@logyard/pipeline';
import { DropOldestBuffer } from './drop-oldest-buffer';

export interface RecordShipperOptions {
  /** Records held while the broker is away or slow; past it the oldest are dropped. */
  maxBuffered: number;
  /** How long a record may wait for companions before its batch is published. */
  flushIntervalMs: number;
  /** Records per publish; a full batch is published without waiting for the interval. */
  maxBatchRecords: number;
  /** Where records go, for messages: broker URL (password hidden) and exchange. */
  destination: string;
}

/** What one publish achieved; a sink settles every record it was given into exactly one of three fates. */
export interface PublishOutcome {
  /** Not confirmed (nack, timeout, connection lost): worth another try. */
  unconfirmed: LogRecord[];
  /** Confirmed, but the broker had no queue to route them to: gone, and retrying would not help. */
  unroutable: number;
  /** Why some were not confirmed, for the console. */
  failure?: string;
}

/** Publishes batches; the shipper never hands it records while it is not connected. */
export interface RecordSink {
  isConnected(): boolean;
  publish(records: LogRecord[]): Promise<PublishOutcome>;
  close(): Promise<void>;
}

/** How a sink tells the shipper about the broker coming and going. */
export interface SinkEvents {
  connected(): void;
  unavailable(reason: string): void;
}

/** Where the shipper's own messages go: the host's console, never the host's logger (that is us). */
export interface ShipperReporter {
  warn(text: string): void;
  /** The broker is back after `dropped` records were lost; the logger also records the gap in Logyard. */
  recovered(dropped: number): void;
}

export interface ShipperStats {
  /** Records the broker confirmed and routed. */
  published: number;
  /** Records lost: buffer overflow, unroutable, or unsent at close. */
  dropped: number;
  /** Records held now, including a batch awaiting its confirm. */
  buffered: number;
}

/** At most one drop report per this interval; drops in between are summed into the next one. */
export const DROP_REPORT_INTERVAL_MS = 10_000;
/** Pause before retrying a batch the broker did not confirm, so a failing broker is not hammered. */
export const RETRY_DELAY_MS = 1_000;
const CLOSE_RETRY_MS = 100;
const SINK_CLOSE_GRACE_MS = 1_000;

/**
 * Moves records from the host application to the broker without ever making
 * the host wait: `add` only buffers (dropping the oldest when full) and arms a
 * timer; one flush loop at a time publishes batches while the sink is
 * connected, and puts back what the broker did not confirm. It is the SDK's
 * stateful piece: it counts every record into published, dropped or buffered,
 * and reports drops to the console at most every DROP_REPORT_INTERVAL_MS and
 * once more when the broker returns. Its timers are unref'd so that it never
 * keeps the host process alive.
 */
export class RecordShipper implements SinkEvents {
  private readonly buffer: DropOldestBuffer<LogRecord>;
  private readonly sink: RecordSink;
  private published = 0;
  private dropped = 0;
  private inFlight = 0;
  private unreported = 0;
  private droppedWhileAway = 0;
  /** Drops of the last outage, announced to the reporter once a batch has made room in the buffer. */
  private gap = 0;
  private lastDropReason = '';
  private unavailableReason?: string;
  private lastReportAt = -Infinity;
  private lastFailureReportAt = -Infinity;
  private reportTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private flushDueAt = Infinity;
  private flushing?: Promise<void>;
  private closing?: Promise<void>;
  /** Set once close counted what was left: a confirm arriving after that must not count it again. */
  private settled = false;

  constructor(
    private readonly options: RecordShipperOptions,
    openSink: (events: SinkEvents) => RecordSink,
    private readonly reporter: ShipperReporter,
  ) {
    this.buffer = new DropOldestBuffer(options.maxBuffered);
    this.sink = openSink(this);
  }

  /** Buffers a record for publishing. Synchronous and cheap; never throws. */
  add(record: LogRecord): void {
    if (this.closing) {
      // Late lines of a shutting-down host: counted, but there is nobody left to report them to.
      this.dropped++;
      return;
    }
    if (this.buffer.push(record) > 0) this.countDropped(1, this.overflowReason());
    this.scheduleFlush(this.buffer.size >= this.options.maxBatchRecords ? 0 : this.options.flushIntervalMs);
  }

  /** Counts a record that never reached the buffer (it could not be built). */
  discard(reason: string): void {
    if (this.closing) this.dropped++;
    else this.countDropped(1, reason);
  }

  stats(): ShipperStats {
    return { published: this.published, dropped: this.dropped, buffered: this.buffer.size + this.inFlight };
  }

  /**
   * Publishes what is buffered for at most `timeoutMs`, then closes the sink.
   * Whatever is still unsent is counted as dropped and reported.
   */
  close(timeoutMs: number): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  connected(): void {
    if (this.unavailableReason !== undefined) {
      const dropped = this.droppedWhileAway;
      this.unavailableReason = undefined;
      this.droppedWhileAway = 0;
      this.unreported = 0; // the recovery line below reports them
      clearTimeout(this.reportTimer);
      this.reportTimer = undefined;
      this.reporter.warn(
        `reconnected to ${this.options.destination}; ${dropped} log records were dropped while it was away, ` +
          `${this.buffer.size} buffered records are being sent`,
      );
      this.gap += dropped;
    }
    if (!this.closing) this.scheduleFlush(0);
  }

  unavailable(reason: string): void {
    if (this.unavailableReason === undefined) {
      this.reporter.warn(
        `cannot reach ${this.options.destination} (${reason}); ` +
          `buffering up to ${this.options.maxBuffered} log records and retrying`,
      );
    }
    this.unavailableReason = reason;
  }

  private scheduleFlush(delayMs: number): void {
    const dueAt = Date.now() + delayMs;
    if (this.flushTimer && this.flushDueAt <= dueAt) return;
    clearTimeout(this.flushTimer);
    this.flushDueAt = dueAt;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushDueAt = Infinity;
      void this.flush();
    }, delayMs).unref();
  }

  /** Starts the flush loop unless it runs already; it picks up records added meanwhile. */
  private flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.buffer.size > 0 && this.sink.isConnected()) {
      const batch = this.buffer.take(this.options.maxBatchRecords);
      this.inFlight = batch.length;
      const outcome = await this.sink.publish(batch).catch((error: unknown): PublishOutcome => ({
        unconfirmed: batch,
        unroutable: 0,
        failure: error instanceof Error ? error.message : 'unknown error',
      }));
      if (this.settled) return;
      this.inFlight = 0;
      this.published += batch.length - outcome.unconfirmed.length - outcome.unroutable;
      if (outcome.unroutable > 0) {
        this.countDropped(
          outcome.unroutable,
          `no queue is bound to ${this.options.destination}; is Logyard running with this prefix?`,
        );
      }
      if (outcome.unconfirmed.length > 0) {
        this.retryLater(outcome.unconfirmed, outcome.failure ?? 'not confirmed');
        return;
      }
      this.announceGap();
    }
    this.announceGap();
  }

  // Not at the moment of reconnecting: the buffer may be full then, and the gap's own record would displace one.
  private announceGap(): void {
    if (this.gap === 0 || this.closing || !this.sink.isConnected()) return;
    const dropped = this.gap;
    this.gap = 0;
    this.reporter.recovered(dropped);
  }

  private retryLater(unconfirmed: LogRecord[], failure: string): void {
    const lost = this.buffer.restore(unconfirmed);
    if (lost > 0) this.countDropped(lost, this.overflowReason());
    if (Date.now() - this.lastFailureReportAt >= DROP_REPORT_INTERVAL_MS) {
      this.lastFailureReportAt = Date.now();
      this.reporter.warn(`publishing to ${this.options.destination} failed (${failure}); retrying`);
    }
    if (!this.closing) this.scheduleFlush(RETRY_DELAY_MS);
  }

  private overflowReason(): string {
    return this.unavailableReason === undefined
      ? `the buffer of ${this.options.maxBuffered} records is full: logging outpaces the broker`
      : `the buffer of ${this.options.maxBuffered} records is full while ${this.options.destination} ` +
          `is unreachable (${this.unavailableReason})`;
  }

  private countDropped(count: number, reason: string): void {
    this.dropped += count;
    this.unreported += count;
    if (this.unavailableReason !== undefined) this.droppedWhileAway += count;
    this.lastDropReason = reason;
    if (this.reportTimer) return;
    const waitMs = Math.max(0, this.lastReportAt + DROP_REPORT_INTERVAL_MS - Date.now());
    this.reportTimer = setTimeout(() => this.reportDrops(), waitMs).unref();
  }

  private reportDrops(): void {
    clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    if (this.unreported === 0) return;
    this.lastReportAt = Date.now();
    this.reporter.warn(
      `dropped ${this.unreported} log records (${this.dropped} since start): ${this.lastDropReason}`,
    );
    this.unreported = 0;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const deadline = Date.now() + timeoutMs;
    // A batch awaiting its confirm keeps close waiting too, even when nothing else is buffered.
    while ((this.buffer.size > 0 || this.flushing) && Date.now() < deadline) {
      await settleWithin(this.flush(), deadline - Date.now());
      if (this.buffer.size > 0) await delay(Math.min(CLOSE_RETRY_MS, deadline - Date.now()));
    }
    // Closing the sink settles a batch still awaiting its confirm (as unconfirmed), so it is counted below.
    await settleWithin(this.sink.close(), SINK_CLOSE_GRACE_MS);
    if (this.flushing) await settleWithin(this.flushing, SINK_CLOSE_GRACE_MS);
    const unsent = this.buffer.take(this.buffer.size).length + this.inFlight;
    this.inFlight = 0;
    this.settled = true;
    if (unsent > 0) this.countDropped(unsent, `still unsent when the logger closed after ${timeoutMs} ms`);
    this.reportDrops();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
