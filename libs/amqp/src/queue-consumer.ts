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
/** One incarnation of the consumer's channel; a reconnect makes a new one. */
interface ChannelState {
  channel: Channel;
  generation: number;
  /** The consumer tag once subscribed; undefined while paused (or if subscribing failed with the channel). */
  subscription?: Promise<string | undefined>;
}

export class QueueConsumer {
  private readonly logger = new Logger(QueueConsumer.name);
  private readonly channel: ChannelWrapper;
  private current?: ChannelState;
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
    if (!this.current || !this.owns(delivery)) return;
    try {
      this.current.channel.ack(delivery.message);
    } catch (error) {
      this.logger.warn(`could not ack a delivery on ${this.options.queue}: ${(error as Error).message}`);
    }
  }

  /** Stops new deliveries; those already received stay unacked until settled. Survives reconnects. */
  async pause(): Promise<void> {
    this.paused = true;
    const state = this.current;
    const subscription = state?.subscription;
    if (!state || !subscription) return;
    state.subscription = undefined;
    const consumerTag = await subscription;
    if (consumerTag) await state.channel.cancel(consumerTag).catch(() => undefined);
  }

  async resume(): Promise<void> {
    this.paused = false;
    // Without an open channel there is nothing to do: the next channel's setup subscribes.
    if (this.current) await this.subscribe(this.current);
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  private async setup(channel: Channel): Promise<void> {
    const state: ChannelState = { channel, generation: ++this.generation };
    this.current = state;
    await channel.prefetch(this.options.prefetch);
    if (!this.paused) await this.subscribe(state);
  }

  /** Subscribes at most once per channel, however pause and resume interleave with reconnects. */
  private subscribe(state: ChannelState): Promise<string | undefined> {
    state.subscription ??= state.channel
      .consume(this.options.queue, (message) => {
        // A null message means the broker cancelled us (queue deleted); the channel setup resubscribes.
        if (message) this.options.onDelivery({ message, generation: state.generation });
      })
      .then(
        ({ consumerTag }) => consumerTag,
        (error: Error) => {
          this.logger.warn(`could not consume ${this.options.queue}: ${error.message}`);
          return undefined;
        },
      );
    return state.subscription;
  }
}
