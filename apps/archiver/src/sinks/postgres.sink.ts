import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpConnection, BatchConsumer, DeadLetterPublisher, decodeJsonItems } from '@logyard/amqp';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { LogRecord, parseJsonBody, SEVERITIES } from '@logyard/contracts';
import { isRefusedData, LogRepository } from '@logyard/db';
import { MetricsService } from '@logyard/observability';

/**
 * The archiver's sink: consumes the six per-severity archive queues, gathers
 * deliveries into database batches (ARCHIVER_BATCH_RECORDS or
 * ARCHIVER_FLUSH_MS, whichever first), writes each batch with one bulk
 * statement — ARCHIVER_WRITERS batches at once, so PostgreSQL can use a
 * second core — and acks only after it committed. While PostgreSQL is away the
 * BatchConsumer pauses the queues and retries with backoff.
 */
@Injectable()
export class PostgresSink implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: BatchConsumer;

  constructor(
    @Inject(LOGYARD_CONFIG) config: LogyardConfig,
    connection: AmqpConnection,
    deadLetters: DeadLetterPublisher,
    private readonly logs: LogRepository,
    private readonly metrics: MetricsService,
  ) {
    const { prefetch, batchRecords, flushMs, writers } = config.archiver;
    const maxMessageBytes = config.records.maxMessageBytes;
    this.consumer = new BatchConsumer(connection, deadLetters, metrics, {
      stage: 'archiver',
      queues: SEVERITIES.map((severity) => connection.topology.names.archive[severity]),
      prefetch,
      maxRecords: batchRecords,
      lingerMs: flushMs,
      maxConcurrentWrites: writers,
      decode: (message) => {
        const items = parseJsonBody(message.content);
        if (!items.ok) return { records: [], rejects: [{ reason: items.error, body: message.content }] };
        return decodeJsonItems(items.value, { maxMessageBytes });
      },
      write: (records) => this.write(records),
      isPoison: isRefusedData,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  private async write(records: LogRecord[]): Promise<void> {
    const stopTimer = this.metrics.archiveWriteSeconds.startTimer();
    await this.logs.insertBatch(records);
    stopTimer();
    this.metrics.archiveBatchRecords.observe(records.length);
    this.metrics.recordsArchived.inc(records.length);
  }
}
