import { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, Message } from 'amqplib';
import { v7 as uuidv7 } from 'uuid';
import {
  confirmPublishOptions,
  COUNT_HEADER,
  createFailoverManager,
  DEFAULT_CONFIRM_TIMEOUT_MS,
  reconnectOnChannelFault,
  RoutedMessage,
  toRoutedMessages,
} from '@logyard/amqp/client';
import { LogRecord } from '@logyard/contracts';
import { PublishOutcome, RecordSink, SinkEvents } from './record-shipper';

export interface AmqpBatchPublisherOptions {
  /** The nodes of one cluster (or one node); one connection at a time, failing over to the next. */
  urls: string[];
  /** The `<prefix>.ingest` topic exchange. */
  exchange: string;
  maxBatchRecords: number;
  /** How the connection shows in RabbitMQ's management UI. */
  connectionName: string;
}

const HEARTBEAT_SECONDS = 5;

/**
 * Publishes record batches in Logyard's wire format (DESIGN §2) to the ingest
 * exchange on a confirm channel of its own connection; amqp-connection-manager
 * reconnects it, failing over between a cluster's nodes. Messages are
 * mandatory: a batch the broker can route nowhere (no router queue bound, e.g.
 * a mistyped prefix) comes back and is reported as unroutable rather than
 * silently confirmed.
 */
export class AmqpBatchPublisher implements RecordSink {
  private readonly manager: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;
  /** Message ids the broker returned; a return always precedes its message's confirm. */
  private readonly returned = new Set<string>();
  /** Whether the channel is set up and the broker takes messages: what the shipper waits for to publish. */
  private ready = false;

  constructor(
    private readonly options: AmqpBatchPublisherOptions,
    private readonly events: SinkEvents,
  ) {
    this.manager = createFailoverManager(options.urls, {
      heartbeatIntervalInSeconds: HEARTBEAT_SECONDS,
      connectionOptions: { clientProperties: { connection_name: options.connectionName } },
    });
    this.manager.on('disconnect', ({ err }) => this.away(err?.message ?? 'connection closed'));
    this.manager.on('connectFailed', ({ err }) => this.away(err.message));
    this.manager.on('blocked', ({ reason }) => this.away(`the broker blocks publishers: ${reason}`));
    this.manager.on('unblocked', () => this.back());
    this.channel = this.manager.createChannel({
      name: 'logyard-sdk',
      confirm: true,
      json: false,
      setup: (channel: ConfirmChannel) => this.setup(channel),
    });
    // Without a listener an 'error' event would throw inside the host application.
    this.channel.on('error', (error: Error) => this.away(`channel setup failed: ${error.message}`));
    // Connecting goes on in the background until close(); its outcome arrives through the events above.
    this.manager.connect().catch(() => undefined);
  }

  isConnected(): boolean {
    return this.ready;
  }

  /**
   * Publishes one message per routing key (more when a batch is over MAX_BATCH_MESSAGE_BYTES); never rejects,
   * every record ends up in the outcome.
   */
  async publish(records: LogRecord[]): Promise<PublishOutcome> {
    const messages = toRoutedMessages(records, this.options.maxBatchRecords);
    const results = await Promise.allSettled(messages.map((message) => this.publishMessage(message)));
    const outcome: PublishOutcome = { unconfirmed: [], unroutable: 0 };
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        outcome.unconfirmed.push(...messages[i].records);
        outcome.failure = result.reason instanceof Error ? result.reason.message : String(result.reason);
      } else if (!result.value) {
        outcome.unroutable += messages[i].records.length;
      }
    });
    return outcome;
  }

  async close(): Promise<void> {
    // The channel before the connection: a channel closed after its connection would wait for a reconnect.
    await this.channel.close().catch(() => undefined);
    await this.manager.close();
  }

  /** Resolves true once confirmed and routed, false once confirmed but returned as unroutable. */
  private async publishMessage({ routingKey, records, body }: RoutedMessage): Promise<boolean> {
    const messageId = uuidv7();
    try {
      await this.channel.publish(
        this.options.exchange,
        routingKey,
        body,
        confirmPublishOptions(
          { mandatory: true, messageId, headers: { [COUNT_HEADER]: records.length } },
          DEFAULT_CONFIRM_TIMEOUT_MS,
        ),
      );
      return !this.returned.has(messageId);
    } finally {
      this.returned.delete(messageId);
    }
  }

  /** Runs on every (re)connect. */
  private async setup(channel: ConfirmChannel): Promise<void> {
    channel.on('return', (message: Message) => this.returned.add(String(message.properties.messageId)));
    reconnectOnChannelFault(this.manager, channel, (reason) =>
      this.away(`the broker closed the channel: ${reason}`),
    );
    // Checked, not declared: a publisher's broker user may write to the exchange but not configure it
    // (SECURITY.md). Until Logyard has declared it, the check fails and records wait in the buffer.
    await channel.checkExchange(this.options.exchange);
    this.back();
  }

  private away(reason: string): void {
    this.ready = false;
    this.events.unavailable(reason);
  }

  /** Connected means able to publish: a connection whose channel the broker refuses is still away. */
  private back(): void {
    this.ready = true;
    this.events.connected();
  }
}
