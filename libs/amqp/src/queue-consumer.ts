import { Logger } from '@nestjs/common';
import { Channel, ChannelWrapper } from 'amqp-connection-manager';
import type { ConsumeMessage } from 'amqplib';
import { backoffDelayMs } from '@logyard/pipeline';
import { AmqpConnection } from './amqp-connection';

/** How long after the broker cancelled a subscription it is made again; a cancel that recurs backs off. */
const RESUBSCRIBE_BACKOFF = { baseMs: 1_000, maxMs: 30_000 };

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
  private closed = false;
  /** Cancels by the broker since the last delivery: the attempt of the resubscription's backoff. */
  private cancels = 0;

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
    this.closed = true;
    await this.channel.close();
  }

  private async setup(channel: Channel): Promise<void> {
    const state: ChannelState = { channel, generation: ++this.generation };
    this.current = state;
    // A closed channel's deliveries were requeued with it, before the next channel's setup runs: none of
    // them can be settled any more, and a caller must not count them as its own.
    channel.on('close', () => {
      if (this.current === state) this.current = undefined;
    });
    await channel.prefetch(this.options.prefetch);
    if (!this.paused) await this.subscribe(state);
  }

  /** Subscribes at most once per channel, however pause and resume interleave with reconnects. */
  private subscribe(state: ChannelState): Promise<string | undefined> {
    state.subscription ??= state.channel
      .consume(this.options.queue, (message) => {
        if (!message) return this.cancelled(state);
        this.cancels = 0;
        this.options.onDelivery({ message, generation: state.generation });
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

  /**
   * The broker cancelled the subscription (a null message): its queue was deleted, or the cluster node that
   * held a classic queue was lost. The channel stays open, so no setup runs again, and without a new
   * subscription the queue would be read by nobody for ever. If the queue is gone, consuming it fails, the
   * broker closes the channel, and the reconnect that forces declares the topology again.
   */
  private cancelled(state: ChannelState): void {
    // Paused meanwhile (resume subscribes), or a channel that has since been replaced.
    if (state.subscription === undefined || state !== this.current) return;
    state.subscription = undefined;
    const delay = backoffDelayMs(this.cancels++, RESUBSCRIBE_BACKOFF);
    this.logger.warn(
      `the broker cancelled the consumer of ${this.options.queue}; consuming again in ${delay} ms`,
    );
    setTimeout(() => {
      if (!this.paused && !this.closed && state === this.current) void this.subscribe(state);
    }, delay).unref();
  }
}
