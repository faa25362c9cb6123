import type { Channel, ConsumeMessage } from 'amqplib';
import {
  decodeRecords,
  DEFAULT_BODY_LIMIT_BYTES,
  LogRecord,
  MAX_RECORDS_PER_MESSAGE,
  parseBusJson,
} from '@logyard/contracts';
import { COUNT_HEADER } from './topology';

/**
 * Bounds of one tail queue (DESIGN §3). A reader that falls behind makes the
 * broker shed the oldest messages (drop-head) rather than grow: at most this
 * many messages, and — since one message may carry up to 1,000 records — at
 * most this many bytes of bodies, whichever is reached first.
 */
export const TAIL_QUEUE_MAX_MESSAGES = 10_000;
export const TAIL_QUEUE_MAX_BYTES = 64 * 1024 * 1024;
/** Unacknowledged messages a tail holds in memory; the broker keeps the rest until the reader catches up. */
export const TAIL_PREFETCH = 16;

/** Where a tail's records go: an SSE response, a terminal. */
export interface TailOutput {
  /** Takes the records of one message; false means "full": nothing more is handed over until resume(). */
  records(records: LogRecord[]): boolean;
  /** Reports how many records the tail queue shed since the last report; false as for records(). */
  dropped(count: number): boolean;
  /** The broker ended the subscription (say, an operator deleted the queue): no more records will come. */
  cancelled(): void;
}

/**
 * The arguments of a tail queue. Messages it sheds are dead-lettered through
 * the default exchange to `dropQueue`, because RabbitMQ never tells a
 * consumer that drop-head discarded anything: counting what arrives there is
 * the only exact account of what this reader missed. (A sequence number
 * would not do: several routers publish to the logs exchange, so there is no
 * single sequence to find gaps in.)
 */
export function tailQueueArguments(dropQueue: string): Record<string, unknown> {
  return {
    // Exclusive queues are classic whatever QUEUE_TYPE says: quorum queues cannot be exclusive.
    'x-queue-type': 'classic',
    'x-max-length': TAIL_QUEUE_MAX_MESSAGES,
    'x-max-length-bytes': TAIL_QUEUE_MAX_BYTES,
    'x-overflow': 'drop-head',
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': dropQueue,
  };
}

/**
 * Records in one logs-exchange message: its `x-logyard-count` header, which
 * Logyard's publishers always set, else the length of its JSON array body (a single
 * object, or a body that is not JSON or over BODY_LIMIT's default, counts as one).
 * Never more than a message may carry, whatever a header claims.
 */
export function recordsIn(message: {
  content: Buffer;
  properties: { headers?: Record<string, unknown> };
}): number {
  const counted = message.properties.headers?.[COUNT_HEADER];
  if (typeof counted === 'number' && Number.isInteger(counted) && counted > 0)
    return Math.min(counted, MAX_RECORDS_PER_MESSAGE);
  const items = parseBusJson(message.content, DEFAULT_BODY_LIMIT_BYTES);
  return items.ok ? Math.min(Math.max(items.value.length, 1), MAX_RECORDS_PER_MESSAGE) : 1;
}

/**
 * The records of one logs-exchange message. Only Logyard's collectors and
 * routers publish there, and only records they have just validated, so an item that does not parse is
 * skipped rather than reported, as are items past MAX_RECORDS_PER_MESSAGE and a message over `maxBodyBytes`
 * (the archiver dead-letters all three); messages are never truncated again.
 */
export function decodeTailMessage(content: Buffer, maxBodyBytes = DEFAULT_BODY_LIMIT_BYTES): LogRecord[] {
  const items = parseBusJson(content, maxBodyBytes);
  return items.ok
    ? decodeRecords(items.value.slice(0, MAX_RECORDS_PER_MESSAGE), { maxMessageBytes: Infinity }).records
    : [];
}

/**
 * A live subscription to the logs exchange on its own server-named,
 * exclusive, auto-delete queue, bounded and shedding its oldest messages
 * (drop-head), plus a second such queue that receives what was shed.
 *
 * Flow control: a message is acked once its records are handed to the
 * output. When the output says it is full, further deliveries are held
 * unacked until resume(); with a bounded prefetch the broker then stops
 * delivering, so a burst waits in the bounded broker queue — not in this
 * process — and the broker sheds from it when it fills.
 */
export class TailConsumer {
  private readonly held: ConsumeMessage[] = [];
  private blocked = false;
  private closed = false;
  private unreportedDrops = 0;

  private constructor(
    private readonly channel: Channel,
    /** The tail queue's server-chosen name. */
    readonly queue: string,
    private readonly dropQueue: string,
    private readonly output: TailOutput,
  ) {}

  /** Declares the queues, binds every pattern on `exchange` and starts consuming. Patterns must be valid. */
  static async open(
    channel: Channel,
    exchange: string,
    patterns: readonly string[],
    output: TailOutput,
  ): Promise<TailConsumer> {
    // The drop queue first: the tail queue's dead-letter routing key must name it.
    const { queue: dropQueue } = await channel.assertQueue('', {
      exclusive: true,
      autoDelete: true,
      arguments: { 'x-queue-type': 'classic' },
    });
    const { queue } = await channel.assertQueue('', {
      exclusive: true,
      autoDelete: true,
      arguments: tailQueueArguments(dropQueue),
    });
    for (const pattern of patterns) await channel.bindQueue(queue, exchange, pattern);
    const consumer = new TailConsumer(channel, queue, dropQueue, output);
    // Drop notices are only counted, at once, so they need no acks and no bound: the drop queue stays empty.
    await channel.consume(dropQueue, (message) => message && consumer.countDropped(message), { noAck: true });
    await channel.prefetch(TAIL_PREFETCH);
    await channel.consume(queue, (message) => (message ? consumer.receive(message) : output.cancelled()));
    return consumer;
  }

  /** The output can take more again. */
  resume(): void {
    this.blocked = false;
    this.pump();
  }

  /** Stops handing over and deletes both queues at once, rather than when the connection ends. */
  async close(): Promise<void> {
    this.closed = true;
    this.held.length = 0;
    for (const queue of [this.queue, this.dropQueue]) {
      // Fails only when the channel is already gone, and its queues with it (exclusive, auto-delete).
      await this.channel.deleteQueue(queue).catch(() => undefined);
    }
  }

  private receive(message: ConsumeMessage): void {
    this.held.push(message);
    this.pump();
  }

  private countDropped(message: ConsumeMessage): void {
    this.unreportedDrops += recordsIn(message);
    this.pump();
  }

  /**
   * Hands over held messages in order, then any drops: messages held were
   * delivered before the broker shed anything newer, so the report lands
   * between the records that came before the gap and those after it.
   */
  private pump(): void {
    while (!this.blocked && !this.closed) {
      const message = this.held.shift();
      if (message) {
        const accepted = this.output.records(decodeTailMessage(message.content));
        this.ack(message);
        this.blocked = !accepted;
      } else if (this.unreportedDrops > 0) {
        const count = this.unreportedDrops;
        this.unreportedDrops = 0;
        this.blocked = !this.output.dropped(count);
      } else {
        return;
      }
    }
  }

  private ack(message: ConsumeMessage): void {
    try {
      this.channel.ack(message);
    } catch {
      // The channel closed under us: its exclusive queue is gone, so there is nothing left to settle.
    }
  }
}
