import { Inject, Injectable } from '@nestjs/common';
import {
  AmqpConnection,
  BatchConsumer,
  BatchStage,
  BrokerUnavailableError,
  DeadLetterPublisher,
  LogsPublisher,
  UnencodableRecordsError,
  WriteOutcome,
  WRITTEN,
} from '@logyard/amqp';
import type { ConsumeMessage } from 'amqplib';
import { LOGYARD_CONFIG, LogyardConfig, recordLimits } from '@logyard/config';
import { DecodedMessage, LogRecord, nowIso } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { BackgroundWorker } from '@logyard/runtime';
import { normaliseMessage } from './transforms/normalise.transform';

/**
 * The router: consumes the router queue — what any AMQP client (the SDK, the
 * CLI, the tutorial's publishers) put on the ingest exchange; the collector's
 * sources validate their own records and publish them to the logs exchange
 * directly (docs/design.md §3) — normalises, and republishes clean batches to
 * the logs exchange. Input is acked only after every republished message (and
 * every dead letter) is confirmed by the broker. It is the BatchStage the
 * archiver's sink also is (docs/design.md §4).
 */
@Injectable()
export class RouterService implements BatchStage, BackgroundWorker {
  readonly name = 'router';
  private readonly consumer: BatchConsumer;

  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    connection: AmqpConnection,
    private readonly publisher: LogsPublisher,
    metrics: MetricsService,
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
      { observedTs: nowIso(), ...recordLimits(this.config), maxBodyBytes: this.config.http.bodyLimitBytes },
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
      await this.publisher.publish(records);
    } catch (error) {
      if (error instanceof UnencodableRecordsError) return { kind: 'refused', reason: error.message };
      if (error instanceof BrokerUnavailableError) return { kind: 'unavailable', reason: error.message };
      throw error;
    }
    return WRITTEN;
  }
}
