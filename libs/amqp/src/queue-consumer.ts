import { Logger } from '@nestjs/common';
import { Channel, ChannelWrapper } from 'amqp-connection-manager';
import type { ConsumeMessage } from 'amqplib';
import { AmqpConnection } from './amqp-connection';

/**
 * A message as received, plus the bookkeeping needed to settle it. The
 * generation identifies the channel it came on: delivery tags are per channel,
 * so after a reconnect an old tag must never be acked on the new channel.
 */
export interface Delivery {
  readonly message: ConsumeMessage;
  readonly generation: number;
}

export interface QueueConsumerOptions {
  queue: string;
  /** Unacknowledged deliveries the broker may push at once; bounds this consumer's memory. */
  prefetch: number;
  onDelivery: (delivery: Delivery) => void;
}

/**
 * Consumes one queue on its own channel, re-subscribing after every reconnect.
 * Settling is explicit and tolerant: a delivery from a channel that has since
 * closed is not settled at all — the broker already requeued it, and the
 * idempotent sinks make its redelivery harmless.
 */
export class QueueConsumer {
  private readonly logger = new Logger(QueueConsumer.name);
  private readonly channel: ChannelWrapper;
  private current?: { channel: Channel; generation: number; consumerTag?: string };
  private generation = 0;
  private paused = false;

  constructor(
    connection: AmqpConnection,
    private readonly options: QueueConsumerOptions,
  ) {
    this.channel = connection.createChannel(`consumer:${options.queue}`, false, (channel) =>
      this.setup(channel),
    );
  }

  get queue(): string {
    return this.options.queue;
  }

  /** Whether the delivery came on the channel that is open now (only those can still be settled). */
  owns(delivery: Delivery): boolean {
    return this.current?.generation === delivery.generation;
  }

  /** Resolves once the first subscription is in place. */
  ready(): Promise<void> {
    return this.channel.waitForConnect();
  }

  ack(delivery: Delivery): void {
    this.settle(delivery, (channel) => channel.ack(delivery.message));
  }

  /** Returns the delivery to the queue for another attempt. */
  requeue(delivery: Delivery): void {
    this.settle(delivery, (channel) => channel.nack(delivery.message, false, true));
  }

  /** Stops new deliveries; those already received stay unacked until settled. */
  async pause(): Promise<void> {
    this.paused = true;
    const current = this.current;
    const consumerTag = current?.consumerTag;
    if (current && consumerTag) {
      current.consumerTag = undefined;
      await current.channel.cancel(consumerTag).catch(() => undefined);
    }
  }

  async resume(): Promise<void> {
    this.paused = false;
    if (this.current && !this.current.consumerTag) await this.subscribe(this.current);
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  private async setup(channel: Channel): Promise<void> {
    this.current = { channel, generation: ++this.generation };
    await channel.prefetch(this.options.prefetch);
    if (!this.paused) await this.subscribe(this.current);
  }

  private async subscribe(current: NonNullable<QueueConsumer['current']>): Promise<void> {
    const { consumerTag } = await current.channel.consume(this.options.queue, (message) => {
      // A null message means the broker cancelled us (queue deleted); the channel setup resubscribes.
      if (message) this.options.onDelivery({ message, generation: current.generation });
    });
    current.consumerTag = consumerTag;
  }

  private settle(delivery: Delivery, action: (channel: Channel) => void): void {
    if (!this.current || !this.owns(delivery)) return;
    try {
      action(this.current.channel);
    } catch (error) {
      this.logger.warn(`could not settle a delivery on ${this.options.queue}: ${(error as Error).message}`);
    }
  }
}
