import { Inject, Injectable } from '@nestjs/common';
import { ChannelWrapper } from 'amqp-connection-manager';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { LogRecord, tryEncoding } from '@logyard/contracts';
import { toRoutedMessages } from './batch-messages';
import { AmqpConnection } from './amqp-connection';
import { ConfirmedMessage, confirmPublishOptions } from './confirm-publish';
import { batchHeaders, RoutedBatch } from './record-batches';

/** The broker cannot take a message now; HTTP callers answer 503 with Retry-After. */
export class BrokerUnavailableError extends Error {
  constructor(reason: string) {
    super(`RabbitMQ is unavailable: ${reason}`);
  }
}

/** Records that cannot be written as JSON: the data's fault, so retrying them can never succeed. */
export class UnencodableRecordsError extends Error {}

/** Beyond this many messages awaiting a channel, publishers are refused instead of buffered in memory. */
const MAX_QUEUED_MESSAGES = 1_000;
/**
 * At most this many messages of one call are on the channel unconfirmed. amqplib holds 1,024 frames a
 * channel before pushing back, and the rest wait in MAX_QUEUED_MESSAGES: a batch of more routing keys than
 * both, sent at once, would be refused by its own size on every retry.
 */
export const MESSAGES_PER_WAVE = 256;

export type PublishOptions = Omit<ConfirmedMessage, 'mandatory'>;

/**
 * Publishes on a confirm channel. A returned promise resolves only once the
 * broker has confirmed the message (it is then persisted in its queues), and
 * rejects on a nack, a timeout, or when the broker is away — a caller may
 * therefore report success upstream exactly when this resolves.
 */
@Injectable()
export class ConfirmPublisher {
  private channel?: ChannelWrapper;
  /** COLLECTOR_CONFIRM_TIMEOUT_MS: how long a publish waits for the broker's confirm before it fails. */
  private readonly confirmTimeoutMs: number;

  constructor(
    private readonly connection: AmqpConnection,
    @Inject(LOGYARD_CONFIG) config: LogyardConfig,
  ) {
    this.confirmTimeoutMs = config.collector.confirmTimeoutMs;
  }

  async publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: PublishOptions = {},
  ): Promise<void> {
    // Refuse at once rather than let amqp-connection-manager buffer without bound while disconnected.
    if (!this.connection.isConnected()) throw new BrokerUnavailableError('not connected');
    const channel = this.openChannel();
    if (channel.queueLength() > MAX_QUEUED_MESSAGES)
      throw new BrokerUnavailableError('too many unconfirmed messages');
    try {
      await channel.publish(
        exchange,
        routingKey,
        body,
        confirmPublishOptions(options, this.confirmTimeoutMs),
      );
    } catch (error) {
      throw new BrokerUnavailableError((error as Error).message);
    }
  }

  /**
   * Publishes records as batch messages (the wire format of DESIGN §2),
   * grouped by routing key, at most `maxPerMessage` records and
   * MAX_BATCH_MESSAGE_BYTES each, with the headers `headersOf` gives
   * (logsBatchHeaders for the logs exchange); resolves when every message is confirmed. Every batch is encoded before
   * any is published, so records that cannot be encoded
   * (UnencodableRecordsError) leave nothing half-published behind them.
   */
  async publishRecords(
    exchange: string,
    records: readonly LogRecord[],
    maxPerMessage: number,
    headersOf: (batch: RoutedBatch) => Record<string, unknown> = batchHeaders,
  ): Promise<void> {
    const messages = tryEncoding(() => toRoutedMessages(records, maxPerMessage));
    if (!messages.ok) throw new UnencodableRecordsError(messages.error);
    await inWaves(messages.value, ({ body, ...batch }) =>
      this.publish(exchange, batch.routingKey, body, { headers: headersOf(batch) }),
    );
  }

  private openChannel(): ChannelWrapper {
    this.channel ??= this.connection.createChannel('publisher', true);
    return this.channel;
  }
}

/**
 * Runs `publish` for every item, MESSAGES_PER_WAVE at a time, each wave settled before the next starts;
 * rejects with the first failure of the first wave that has one.
 */
export async function inWaves<T>(items: readonly T[], publish: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += MESSAGES_PER_WAVE) {
    const outcomes = await Promise.allSettled(items.slice(start, start + MESSAGES_PER_WAVE).map(publish));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
