import { Inject, Injectable } from '@nestjs/common';
import {
  AmqpConnection,
  BatchConsumer,
  BatchStage,
  DeadLetterPublisher,
  WriteOutcome,
  WRITTEN,
} from '@logyard/amqp';
import type { ConsumeMessage } from 'amqplib';
import { LOGYARD_CONFIG, LogyardConfig, RecordLimits, recordLimits } from '@logyard/config';
import { DecodedMessage, decodeJsonItems, LogRecord, parseBusJson, SEVERITIES } from '@logyard/contracts';
import { isRefusedData, LogRepository } from '@logyard/db';
import { MetricsService } from '@logyard/observability';
import { BackgroundWorker } from '@logyard/runtime';

/**
 * The archiver's sink: consumes the six per-severity archive queues, gathers
 * deliveries into database batches (ARCHIVER_BATCH_RECORDS or
 * ARCHIVER_FLUSH_MS, whichever first), writes each batch with one bulk
 * statement — ARCHIVER_WRITERS batches at once, so PostgreSQL can use a
 * second core — and acks only after it committed. While PostgreSQL is away the
 * BatchConsumer pauses the queues and retries with backoff. It is the
 * BatchStage the router's transform also is (docs/design.md §4).
 */
@Injectable()
export class PostgresSink implements BatchStage, BackgroundWorker {
  readonly name = 'archiver';
  private readonly consumer: BatchConsumer;
  private readonly limits: RecordLimits;
  /** BODY_LIMIT: the router never publishes more, but any client allowed the default exchange may. */
  private readonly maxBodyBytes: number;

  constructor(
    @Inject(LOGYARD_CONFIG) config: LogyardConfig,
    connection: AmqpConnection,
    deadLetters: DeadLetterPublisher,
    private readonly logs: LogRepository,
    private readonly metrics: MetricsService,
  ) {
    const { prefetch, batchRecords, flushMs, writers } = config.archiver;
    this.limits = recordLimits(config);
    this.maxBodyBytes = config.http.bodyLimitBytes;
    this.consumer = new BatchConsumer(connection, deadLetters, metrics, this, {
      queues: SEVERITIES.map((severity) => connection.topology.names.archive[severity]),
      prefetch,
      maxRecords: batchRecords,
      lingerMs: flushMs,
      maxConcurrentWrites: writers,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  decode(message: ConsumeMessage): DecodedMessage {
    const items = parseBusJson(message.content, this.maxBodyBytes);
    if (!items.ok) return { records: [], rejects: [{ reason: items.error, body: message.content }] };
    return decodeJsonItems({ items: items.value, body: message.content }, this.limits);
  }

  /**
   * Writes one batch. PostgreSQL refusing the rows (isRefusedData: a value it
   * cannot store, a key too large for an index) is the data's fault; any other
   * failure means the database is away or unwell, and the batch waits for it.
   */
  async write(records: LogRecord[]): Promise<WriteOutcome> {
    const stopTimer = this.metrics.archiveWriteSeconds.startTimer();
    const inserted = await this.logs.insertBatch(records).then(
      () => WRITTEN,
      (error: Error): WriteOutcome => ({
        kind: isRefusedData(error) ? 'refused' : 'unavailable',
        reason: error.message,
      }),
    );
    if (inserted.kind !== 'written') return inserted;
    stopTimer();
    this.metrics.archiveBatchRecords.observe(records.length);
    this.metrics.recordsArchived.inc(records.length);
    return inserted;
  }
}
