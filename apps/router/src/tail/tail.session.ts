import type { Channel } from 'amqplib';
import type { ChannelWrapper } from 'amqp-connection-manager';
import type { Response } from 'express';
import { TAIL_QUEUE_MAX_MESSAGES, TailConsumer, TailOutput } from '@logyard/amqp';
import { sseComment, sseMessage } from './sse';
import { TailAmqpConnection } from './tail-amqp.connection';

/** A comment this often keeps proxies and load balancers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** How long a new tail may wait for its queue before it is answered 503. */
const SUBSCRIBE_TIMEOUT_MS = 10_000;

/** The tail could not subscribe (broker away, channel refused); nothing was written to the client yet. */
export class TailUnavailableError extends Error {}

export interface TailSessionOptions {
  patterns: string[];
  /** Called with each count reported to the client as dropped. */
  onDropped: (count: number) => void;
}

/**
 * One GET /tail client: a Server-Sent Events stream fed by its own bounded
 * tail queue (see TailConsumer), on a channel of its own.
 *
 * The stream opens only once the queue is bound, with an `event: subscribed`
 * naming it, so a client knows from when on it sees every matching record.
 * Broker reconnects are survived: amqp-connection-manager re-runs the
 * channel's setup on the new connection, which declares a fresh queue and
 * announces it with another `event: subscribed`; records published while
 * the broker was away are not seen. A channel the broker closes over a
 * fault of its own is never reopened by amqp-connection-manager, so that
 * ends the stream instead (EventSource clients reconnect by themselves).
 * When the client goes, its queues are deleted and its channel closed at
 * once.
 */
export class TailSession {
  private channel?: ChannelWrapper;
  private consumer?: TailConsumer;
  private subscribing?: Promise<void>;
  private firstSubscription?: { resolve: () => void; reject: (error: Error) => void };
  private heartbeat?: NodeJS.Timeout;
  private streaming = false;
  private clientGone = false;
  private ended?: Promise<void>;

  private readonly output: TailOutput = {
    records: (records) =>
      records.length === 0 ||
      this.write(records.map((record) => sseMessage(JSON.stringify(record))).join('')),
    dropped: (count) => {
      this.options.onDropped(count);
      return this.write(sseMessage(JSON.stringify({ dropped: count }), 'dropped'));
    },
    cancelled: () => void this.end('the broker cancelled the subscription (was its queue deleted?)'),
  };

  constructor(
    private readonly connection: TailAmqpConnection,
    private readonly response: Response,
    private readonly options: TailSessionOptions,
  ) {}

  /**
   * Subscribes and opens the stream. Rejects with TailUnavailableError, with
   * nothing written, when no subscription could be made in time; resolves
   * without streaming when the client left first.
   */
  async start(): Promise<void> {
    this.response.once('close', () => {
      this.clientGone = true;
      void this.end();
    });
    this.response.on('drain', () => this.consumer?.resume());
    const subscribed = new Promise<void>((resolve, reject) => (this.firstSubscription = { resolve, reject }));
    this.channel = this.connection.createChannel('tail', false, (channel) => this.subscribe(channel));
    // Without a listener a failed setup would be an unhandled 'error' event.
    this.channel.on('error', (error: Error) => void this.end(`cannot subscribe: ${error.message}`));
    const timer = setTimeout(
      () => void this.end(`no subscription within ${SUBSCRIBE_TIMEOUT_MS} ms`),
      SUBSCRIBE_TIMEOUT_MS,
    );
    try {
      await subscribed;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the stream (with `reason` as a last comment) and deletes the queues. Idempotent. */
  end(reason?: string): Promise<void> {
    this.ended ??= this.release(reason);
    return this.ended;
  }

  private async release(reason: string | undefined): Promise<void> {
    clearInterval(this.heartbeat);
    if (!this.streaming) {
      if (this.clientGone) this.firstSubscription?.resolve();
      else this.firstSubscription?.reject(new TailUnavailableError(reason ?? 'the tail was closed'));
    } else if (!this.clientGone) {
      this.response.end(reason ? sseComment(`tail ended: ${reason}`) : undefined);
    }
    // A subscription still being made must finish first, or its queues would outlive the client.
    await this.subscribing?.catch(() => undefined);
    await this.consumer?.close();
    await this.channel?.close().catch(() => undefined);
  }

  /** The channel's setup: runs on the first connection and again after every reconnect. */
  private subscribe(channel: Channel): Promise<void> {
    this.subscribing = this.subscribeOn(channel);
    return this.subscribing;
  }

  private async subscribeOn(channel: Channel): Promise<void> {
    if (this.ended) return;
    // 'error' comes only when the broker closes this channel (not the connection) over a fault.
    channel.on('error', (error: Error) => void this.end(`RabbitMQ closed the channel: ${error.message}`));
    channel.on('close', () =>
      this.write(sseComment('lost the connection to RabbitMQ; resubscribing once it is back')),
    );
    const consumer = await TailConsumer.open(
      channel,
      this.connection.topology.names.logs,
      this.options.patterns,
      this.output,
    );
    this.consumer = consumer;
    if (this.ended) return;
    if (!this.streaming) this.openStream();
    const subscription = {
      patterns: this.options.patterns,
      queue: consumer.queue,
      maxLength: TAIL_QUEUE_MAX_MESSAGES,
    };
    this.write(sseMessage(JSON.stringify(subscription), 'subscribed'));
    this.firstSubscription?.resolve();
  }

  private openStream(): void {
    this.streaming = true;
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      // nginx would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    this.response.flushHeaders();
    this.heartbeat = setInterval(() => {
      // A reader that is behind has bytes in flight already; a heartbeat would only add to them.
      if (!this.response.writableNeedDrain) this.write(sseComment('heartbeat'));
    }, HEARTBEAT_MS);
  }

  /** Writes to the client; false when its socket is full (or gone), which pauses the consumer. */
  private write(chunk: string): boolean {
    if (!this.streaming || this.clientGone || this.ended) return false;
    return this.response.write(chunk);
  }
}
