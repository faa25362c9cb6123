import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { LOGYARD_CONFIG, LogyardConfig, recordLimits } from '@logyard/config';
import { LogRecord, nowIso } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { backoffDelayMs, LingerBatcher, RetryDelay } from '@logyard/pipeline';
import { SourceRunner } from '../../source-runner';
import { toSyslogRecord } from './syslog-record.mapper';
import { ThrottledWarning } from './throttled-warning';

/**
 * A batch is published once this many records wait, whatever the linger (SYSLOG_LINGER_MS). It stays
 * below the listeners' high water (20,000), so a full batch is published before reading pauses.
 */
export const MAX_PENDING_RECORDS = 15_000;
/** While the broker is away a batch is retried at least every 2 s (short, so a drain stays within its deadline). */
const RETRY_BACKOFF = { baseMs: 100, maxMs: 2_000 };
const WARNING_INTERVAL_MS = 5_000;

export type DropReason = 'broker_unavailable' | 'overload';

/** A record on its way, with the size of the message it came from: what the listeners' byte limits count. */
interface HeldRecord {
  record: LogRecord;
  bytes: number;
}

/**
 * Turns syslog messages into records and publishes them in batches: every SYSLOG_LINGER_MS, or at once
 * when MAX_PENDING_RECORDS wait. A batch becomes one message per routing key (DESIGN §2), and a relay
 * interleaves many hosts, services and severities, so the linger is what sizes the messages: with 120
 * keys at 14,000 records/s, 20 ms made 2–3 records per message and the broker's per-message cost the
 * wall (5,900 records/s); 500 ms makes ~60 (14,300 records/s; BENCHMARKS.md).
 *
 * Syslog has no acknowledgements, so while the broker is away a batch is held and retried: the load
 * grows, the listeners stop reading TCP (senders queue on their side, nothing is lost) and drop UDP
 * datagrams past their limit (counted). Only a shutdown with the broker still away drops what is
 * held, and counts it. `load` (records waiting or being published) and `heldBytes` (the size of the messages
 * they came from) are what the listeners throttle on.
 *
 * Stateful, like every batcher: its memory is bounded by the listeners' limits.
 */
@Injectable()
export class SyslogIngest {
  private readonly logger = new Logger('SyslogSource');
  private readonly batcher: LingerBatcher<HeldRecord>;
  private readonly dropped: Counter<'reason'>;
  private readonly dropWarning = new ThrottledWarning(this.logger, WARNING_INTERVAL_MS);
  private readonly rejectWarning = new ThrottledWarning(this.logger, WARNING_INTERVAL_MS);
  private readonly holdWarning = new ThrottledWarning(this.logger, WARNING_INTERVAL_MS);
  private readonly publishedListeners = new Set<() => void>();
  private publishing = 0;
  private held = 0;
  private stopping = false;
  private readonly retryDelay = new RetryDelay();

  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly runner: SourceRunner,
    metrics: MetricsService,
  ) {
    this.batcher = new LingerBatcher<HeldRecord>({
      maxWeight: MAX_PENDING_RECORDS,
      lingerMs: config.syslog.lingerMs,
      weigh: () => 1,
      flush: (records) => this.publish(records),
      onError: (error) => this.logger.error(`syslog batch failed: ${(error as Error).message}`),
    });
    this.dropped = new Counter({
      name: 'logyard_syslog_records_dropped_total',
      help: 'Syslog records parsed but never confirmed by the broker (syslog senders get no answer to retry on)',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
  }

  /** Records waiting for a batch or being published. */
  get load(): number {
    return this.batcher.size + this.publishing;
  }

  /** The bytes of the messages those records came from. */
  get heldBytes(): number {
    return this.held;
  }

  /** Adds the messages of one read (one observation time for them all) to the next batch. */
  accept(messages: Buffer[], peer: string | undefined): void {
    const options = {
      peer,
      observedTs: nowIso(),
      now: new Date(),
      ...recordLimits(this.config),
    };
    for (const message of messages) {
      const record = toSyslogRecord(message.toString('utf8'), options);
      if (record.ok) {
        this.held += message.length;
        this.batcher.add({ record: record.value, bytes: message.length });
      } else {
        this.runner.refused('syslog', 1);
        this.rejectWarning.report(
          1,
          (n) => `refused ${n} syslog message(s), e.g. from ${peer}: ${record.error}`,
        );
      }
    }
  }

  /** Counts messages a listener could not take at all. */
  drop(count: number, reason: DropReason, detail: string): void {
    this.dropped.inc({ reason }, count);
    this.dropWarning.report(count, (n) => `dropped ${n} syslog record(s) (${reason}): ${detail}`);
  }

  /** Calls `listener` after every publish, so a paused listener can resume once the load went down. */
  onPublished(listener: () => void): void {
    this.publishedListeners.add(listener);
  }

  /** Publishes everything pending; resolves when no publish is running. */
  async drain(): Promise<void> {
    this.stopping = true;
    this.retryDelay.interrupt();
    await this.batcher.drain();
    this.dropWarning.flush((n) => `dropped ${n} syslog record(s) in the last seconds`);
    this.rejectWarning.flush((n) => `refused ${n} syslog message(s) in the last seconds`);
  }

  private async publish(batch: HeldRecord[]): Promise<void> {
    const records = batch.map(({ record }) => record);
    this.publishing += records.length;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.runner.run('syslog', { records, errors: [], refused: 0 });
          return;
        } catch (error) {
          if (this.stopping) {
            this.drop(records.length, 'broker_unavailable', (error as Error).message);
            return;
          }
          this.holdWarning.report(
            1,
            () => `broker away, holding ${this.load} syslog record(s): ${(error as Error).message}`,
          );
          await this.retryDelay.wait(backoffDelayMs(attempt, RETRY_BACKOFF));
        }
      }
    } finally {
      this.publishing -= records.length;
      this.held -= batch.reduce((bytes, held) => bytes + held.bytes, 0);
      this.publishedListeners.forEach((listener) => listener());
    }
  }
}
