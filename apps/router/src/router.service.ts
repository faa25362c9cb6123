import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import {
  AmqpConnection,
  BatchConsumer,
  BatchStage,
  BrokerUnavailableError,
  ConfirmPublisher,
  DeadLetterPublisher,
  DecodedMessage,
  logsBatchHeaders,
  UnencodableRecordsError,
  WriteOutcome,
  WRITTEN,
} from '@logyard/amqp';
import type { ConsumeMessage } from 'amqplib';
import { LOGYARD_CONFIG, LogyardConfig, recordLimits } from '@logyard/config';
import { LogRecord, nowIso } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { normaliseMessage } from './transforms/normalise.transform';

/**
 * The router: consumes the router queue, normalises, and republishes clean
 * batches to the logs exchange. Input is acked only after every republished
 * message (and every dead letter) is confirmed by the broker. It is the
 * BatchStage the archiver's sink also is (docs/design.md §4).
 */
@Injectable()
export class RouterService implements BatchStage, OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = 'router';
  private readonly consumer: BatchConsumer;

  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly connection: AmqpConnection,
    private readonly publisher: ConfirmPublisher,
    private readonly metrics: MetricsService,
    deadLetters: DeadLetterPublisher,
  ) {
    const { prefetch, batchRecords, flushMs } = config.router;
    this.consumer = new BatchConsumer(connection, deadLetters, metrics, this, {
      queues: [connection.topology.names.router],
      prefetch,
      maxRecords: batchRecords,
      lingerMs: flushMs,
    });
  }

  decode(message: ConsumeMessage): DecodedMessage {
    return normaliseMessage(
      {
        body: message.content,
        routingKey: message.fields.routingKey,
        contentType: message.properties.contentType as string | undefined,
        timestamp: message.properties.timestamp as number | undefined,
        messageId: message.properties.messageId as string | undefined,
      },
      { observedTs: nowIso(), ...recordLimits(this.config) },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  /** Republishes; records that cannot be encoded are refused, the broker being away is an outage. */
  async write(records: LogRecord[]): Promise<WriteOutcome> {
    try {
      await this.publisher.publishRecords(
        this.connection.topology.names.logs,
        records,
        this.config.records.maxPerMessage,
        logsBatchHeaders,
      );
    } catch (error) {
      if (error instanceof UnencodableRecordsError) return { kind: 'refused', reason: error.message };
      if (error instanceof BrokerUnavailableError) return { kind: 'unavailable', reason: error.message };
      throw error;
    }
    const perSeverity = new Map<string, number>();
    for (const { severity } of records) perSeverity.set(severity, (perSeverity.get(severity) ?? 0) + 1);
    for (const [severity, count] of perSeverity) this.metrics.recordsRouted.inc({ severity }, count);
    return WRITTEN;
  }
}
