import type { Channel, ConsumeMessage, MessageProperties } from 'amqplib';
import type { AmqpConnection } from '@logyard/amqp';

type ChannelSetup = (channel: Channel) => Promise<void>;

/**
 * The broker as a queue consumer sees it through amqp-connection-manager, for unit specs: the consumer's
 * setup runs on a channel at once, and again on a new channel at each reconnect(), as the manager does when
 * the connection comes back, so deliveries of the old channel go stale. Every ack is kept with the channel
 * it was made on, so a spec can tell an ack that counts from one the broker would refuse.
 */
export class FakeConsumerBroker {
  /** Each ack in order: the delivery tag and the number of the channel it was made on (the first is 1). */
  readonly acked: { tag: number; channel: number }[] = [];
  /** Whether a consumer is subscribed: not while it is paused, nor after a reconnect until it consumes again. */
  subscribed = false;
  /** What the component under test is given; `more` adds whatever else it reads of it, such as the topology. */
  readonly connection: AmqpConnection;
  private onMessage?: (message: ConsumeMessage | null) => void;
  private setup?: ChannelSetup;
  /** What the current channel tells when it closes. */
  private closeListeners: (() => void)[] = [];
  private channels = 0;
  private tag = 0;

  constructor(more: object = {}) {
    this.connection = {
      ...more,
      createChannel: (name: string, confirm: boolean, setup?: ChannelSetup) =>
        setup ? this.consumerChannel(setup) : this.publishChannel(name, confirm),
    } as unknown as AmqpConnection;
  }

  /** Hands a message to the subscribed consumer, if any, under the next delivery tag. */
  deliver(content: Buffer, routingKey: string, properties: Partial<MessageProperties> = {}): ConsumeMessage {
    const message = {
      content,
      fields: { routingKey, deliveryTag: ++this.tag },
      properties,
    } as unknown as ConsumeMessage;
    this.onMessage?.(message);
    return message;
  }

  /** The broker cancels the subscription, as when its queue is deleted: the consumer is told with a null message. */
  cancelSubscription(): void {
    const onMessage = this.onMessage;
    this.onMessage = undefined;
    this.subscribed = false;
    onMessage?.(null);
  }

  /** The connection dropped: its channel closes, and the broker requeues that channel's unacked deliveries. */
  connectionLost(): void {
    this.subscribed = false;
    this.onMessage = undefined;
    const listeners = this.closeListeners;
    this.closeListeners = [];
    listeners.forEach((listener) => listener());
  }

  /** The connection dropped and came back: the old channel's unacked deliveries are requeued by the broker. */
  async reconnect(): Promise<void> {
    this.connectionLost();
    await this.setup!(this.channel());
  }

  /** A channel opened without a setup: a spec whose component publishes too overrides this. */
  protected publishChannel(name: string, _confirm: boolean): unknown {
    throw new Error(`FakeConsumerBroker: channel ${name} publishes; override publishChannel`);
  }

  private consumerChannel(setup: ChannelSetup) {
    this.setup = setup;
    const ready = setup(this.channel());
    return { waitForConnect: () => ready, close: async () => undefined };
  }

  private channel(): Channel {
    const number = ++this.channels;
    return {
      prefetch: async () => undefined,
      consume: async (_queue: string, onMessage: (message: ConsumeMessage | null) => void) => {
        this.onMessage = onMessage;
        this.subscribed = true;
        return { consumerTag: `tag-${number}` };
      },
      cancel: async () => {
        this.onMessage = undefined;
        this.subscribed = false;
      },
      ack: (message: ConsumeMessage) => this.acked.push({ tag: message.fields.deliveryTag, channel: number }),
      on: (event: string, listener: () => void) => {
        if (event === 'close') this.closeListeners.push(listener);
      },
    } as unknown as Channel;
  }
}
