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
/**
 * A reader whose socket has not drained for this long reads nothing, or too little to take in what waits
 * (a paused pager, a frozen tab): its connection is closed at the next heartbeat, so that it does not hold
 * one of TAIL_MAX_SESSIONS for ever.
 */
export const TAIL_STALLED_MS = 60_000;

/** The tail could not subscribe (broker away, channel refused); nothing was written to the client yet. */
export class TailUnavailableError extends Error {}

export interface TailSessionOptions {
  patterns: string[];
  /** Called with each count reported to the client as dropped. */
  onDropped: (count: number) => void;
}

/**
 * Where a session is. Each event moves it along one edge (docs/design.md §6):
 *
 * | from          | event                                   | to          | effect                                   |
 * | ------------- | --------------------------------------- | ----------- | ---------------------------------------- |
 * | created       | start()                                 | subscribing | opens the channel, starts the timeout    |
 * | subscribing   | queue bound                             | streaming   | 200 + headers, `event: subscribed`       |
 * | subscribing   | client left                             | ended       | start() resolves, nothing written        |
 * | subscribing   | timeout, channel error, end(reason)     | ended       | start() rejects TailUnavailableError     |
 * | streaming     | connection lost                         | streaming   | a comment saying so                      |
 * | streaming     | queue bound again (after a reconnect)   | streaming   | another `event: subscribed`              |
 * | streaming     | client left                             | ended       | nothing more written                     |
 * | streaming     | socket full for TAIL_STALLED_MS         | ended       | the connection closed                    |
 * | streaming     | end(reason), broker cancel, chan. error | ended       | a last comment, end of response          |
 * | created       | end(reason)                             | ended       | nothing                                  |
 * | ended         | anything                                | ended       | nothing; a subscription made late is deleted |
 *
 * Leaving `subscribing` or `streaming` deletes the queues and closes the channel, once.
 */
export type TailState =
  | { kind: 'created' }
  /** Waiting for the first queue; nothing is written to the client yet. */
  | { kind: 'subscribing'; settleStart: { resolve: () => void; reject: (error: Error) => void } }
  /** Headers sent; records, drop reports and heartbeats are written. */
  | { kind: 'streaming'; heartbeat: NodeJS.Timeout }
  /** Terminal; `released` resolves once the queues are deleted and the channel closed. */
  | { kind: 'ended'; released: Promise<void> };

/** Why a session ends: the client went (nothing more may be written), or a reason to tell it. */
type EndCause = { clientLeft: true } | { clientLeft: false; reason?: string };

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
 * once. The states and their transitions are {@link TailState}'s.
 */
export class TailSession {
  private state: TailState = { kind: 'created' };
  /** Resources, not state: what leaving the session must release. */
  private channel?: ChannelWrapper;
  private consumer?: TailConsumer;
  /** The channel setup in progress; a release waits for it, or its queues would outlive the client. */
  private subscribing?: Promise<void>;
  /** When a write found the client's socket full (performance.now(), which a clock step cannot move), until it drains. */
  private fullSince?: number;

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

  /** The state the session is in (for tests and diagnostics). */
  get phase(): TailState['kind'] {
    return this.state.kind;
  }

  /**
   * Subscribes and opens the stream. Rejects with TailUnavailableError, with
   * nothing written, when no subscription could be made in time; resolves
   * without streaming when the client left first.
   */
  async start(): Promise<void> {
    if (this.state.kind !== 'created')
      throw new Error(`a tail session starts once (it is ${this.state.kind})`);
    const subscribed = new Promise<void>(
      (resolve, reject) => (this.state = { kind: 'subscribing', settleStart: { resolve, reject } }),
    );
    this.response.once('close', () => void this.finish({ clientLeft: true }));
    this.response.on('drain', () => {
      this.fullSince = undefined;
      this.consumer?.resume();
    });
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
    return this.finish({ clientLeft: false, reason });
  }

  /** Any state → ended; the effects depend on the state left (see {@link TailState}). */
  private finish(cause: EndCause): Promise<void> {
    const left = this.state;
    if (left.kind === 'ended') return left.released;
    // Ended before the effects below, so nothing they trigger can write or transition again.
    const released = Promise.resolve().then(() => this.release());
    this.state = { kind: 'ended', released };
    if (left.kind === 'subscribing') {
      if (cause.clientLeft) left.settleStart.resolve();
      else left.settleStart.reject(new TailUnavailableError(cause.reason ?? 'the tail was closed'));
    } else if (left.kind === 'streaming') {
      clearInterval(left.heartbeat);
      if (!cause.clientLeft) {
        this.response.end(cause.reason ? sseComment(`tail ended: ${cause.reason}`) : undefined);
      }
    }
    return released;
  }

  private async release(): Promise<void> {
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
    if (this.state.kind === 'ended') return;
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
    // Read again: the client may have left, or the session ended, while the queue was being bound.
    const state = this.state as TailState;
    if (state.kind === 'ended' || state.kind === 'created') return;
    if (state.kind === 'subscribing') this.openStream();
    const subscription = {
      patterns: this.options.patterns,
      queue: consumer.queue,
      maxLength: TAIL_QUEUE_MAX_MESSAGES,
    };
    this.write(sseMessage(JSON.stringify(subscription), 'subscribed'));
    if (state.kind === 'subscribing') state.settleStart.resolve();
  }

  /** subscribing → streaming. */
  private openStream(): void {
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      // nginx would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    this.response.flushHeaders();
    const heartbeat = setInterval(() => {
      // Destroyed, not ended: a reader that reads nothing would not read a last comment either.
      if (this.fullSince !== undefined && performance.now() - this.fullSince >= TAIL_STALLED_MS) {
        return void this.response.destroy();
      }
      // A reader that is behind has bytes in flight already; a heartbeat would only add to them.
      if (!this.response.writableNeedDrain) this.write(sseComment('heartbeat'));
    }, HEARTBEAT_MS);
    this.state = { kind: 'streaming', heartbeat };
  }

  /** Writes to the client while streaming; false when its socket is full (or not streaming), which pauses the consumer. */
  private write(chunk: string): boolean {
    if (this.state.kind !== 'streaming') return false;
    const accepted = this.response.write(chunk);
    if (!accepted) this.fullSince ??= performance.now();
    return accepted;
  }
}
