import { Logger } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { DecodedMessage, LogRecord, routingKey, tryEncodeBatch } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { backoffDelayMs, LingerBatcher, RetryDelay } from '@logyard/pipeline';
import { AmqpConnection } from './amqp-connection';
import { BrokerUnavailableError, inWaves } from './confirm-publisher';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { Delivery, QueueConsumer } from './queue-consumer';

/**
 * A stage BatchConsumer drives (docs/design.md §4): the router's transform and
 * the archiver's sink both implement it. Both methods answer with values; a
 * throw from either is a bug, which the consumer contains (a decode throw
 * dead-letters the message, a write throw retries the batch like an outage).
 */
export interface BatchStage {
  /** Names the stage in logs, dead-letter reasons and the dead-letter metric. */
  readonly name: string;
  /** Pure and total: anything it cannot use goes into `rejects`, it never throws for bad input. */
  decode(message: ConsumeMessage): DecodedMessage;
  /**
   * Resolves once the records are durable downstream, or to why not, as a
   * value. It never throws for bad data or an outage.
   */
  write(records: LogRecord[]): Promise<WriteOutcome>;
}

export interface BatchConsumerOptions {
  queues: string[];
  prefetch: number;
  maxRecords: number;
  /** Message bytes a batch may carry (default MAX_BATCH_BYTES). */
  maxBytes?: number;
  lingerMs: number;
  /**
   * Batches written at once (default 1). Deliveries are acked one by one, so
   * batches may complete in any order; a sink such as PostgreSQL uses a
   * second core for a second writer.
   */
  maxConcurrentWrites?: number;
}

/**
 * What a sink made of a batch. The one distinction that matters is made here,
 * by the sink that knows its errors: the data's fault (never retried) or the
 * broker or database being away (retried, never dead-lettered).
 */
export type WriteOutcome =
  | { kind: 'written' }
  /**
   * The batch holds records that can never be written (say, a row PostgreSQL
   * refuses). It is halved until each such record stands alone; those are
   * dead-lettered with the reason, the rest written once.
   */
  | { kind: 'refused'; reason: string }
  /** The broker or the database is away: the whole batch is retried later, consumption paused. */
  | { kind: 'unavailable'; reason: string };

export const WRITTEN = { kind: 'written' } as const;

type Unavailable = Extract<WriteOutcome, { kind: 'unavailable' }>;

interface RefusedRecord {
  record: LogRecord;
  reason: string;
}

interface PendingDelivery {
  consumer: QueueConsumer;
  delivery: Delivery;
  decoded: DecodedMessage;
}

const RETRY_BACKOFF = { baseMs: 250, maxMs: 10_000 };

/**
 * The message bytes at which a batch is full, whatever its record count (the message that reaches them is
 * its last): a sink encodes a batch whole (the archiver's COPY is one string, and V8's strings stop at 2^29
 * characters), so 5,000 records of the largest size, or one field of 10 MB in each of 130 messages, must
 * never meet in one batch.
 */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;

/**
 * The consumer wrapper of the router and the archiver: consume queues with a
 * bounded prefetch, decode, gather deliveries into batches, hand the records to
 * the sink, dead-letter what cannot be used, and only then ack — so an ack
 * always means "durable downstream". While the sink fails (broker or database
 * away) consumption pauses and the same batch is retried with capped,
 * jittered exponential backoff; memory stays bounded by the prefetch. Deliveries whose
 * channel closed meanwhile are dropped from the retry: the broker has already
 * requeued them, and the idempotent sinks absorb the redelivery.
 */
export class BatchConsumer {
  private readonly logger: Logger;
  private readonly consumers: QueueConsumer[] = [];
  private readonly batcher: LingerBatcher<PendingDelivery>;
  private stopping = false;
  private readonly settled = { acked: 0, records: 0, abandoned: 0 };
  private paused = false;
  /** Batches currently retrying: consumption stays paused until none is. */
  private retrying = 0;
  private readonly retryDelay = new RetryDelay();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: MetricsService,
    private readonly stage: BatchStage,
    private readonly options: BatchConsumerOptions,
  ) {
    this.logger = new Logger(`${stage.name} consumer`);
    const bytesPerRecord = (options.maxBytes ?? MAX_BATCH_BYTES) / options.maxRecords;
    this.batcher = new LingerBatcher<PendingDelivery>({
      maxWeight: options.maxRecords,
      lingerMs: options.lingerMs,
      maxConcurrentFlushes: options.maxConcurrentWrites,
      // A delivery's share of a batch: its records, or its bytes in the same units, whichever is larger.
      weigh: (pending) =>
        Math.max(1, pending.decoded.records.length, pending.delivery.message.content.length / bytesPerRecord),
      flush: (batch) => this.flush(batch),
      onError: (error) => this.logger.error(`batch lost to an unexpected error: ${(error as Error).stack}`),
    });
  }

  async start(): Promise<void> {
    for (const queue of this.options.queues) {
      const consumer: QueueConsumer = new QueueConsumer(this.connection, {
        queue,
        prefetch: this.options.prefetch,
        onDelivery: (delivery) => this.receive(consumer, delivery),
      });
      this.consumers.push(consumer);
    }
    await Promise.all(this.consumers.map((consumer) => consumer.ready()));
  }

  /**
   * Graceful drain: stop taking deliveries, finish and settle what is in
   * hand, then close the channels. Logs and returns what the drain acked, and
   * what it had to leave unacked (the sink was away) for the broker to redeliver.
   */
  async stop(): Promise<{ acked: number; records: number; leftUnacked: number }> {
    this.stopping = true;
    await Promise.all(this.consumers.map((consumer) => consumer.pause()));
    this.retryDelay.interrupt();
    const before = { ...this.settled };
    await this.batcher.drain();
    await Promise.all(this.consumers.map((consumer) => consumer.close()));
    const drained = {
      acked: this.settled.acked - before.acked,
      records: this.settled.records - before.records,
      leftUnacked: this.settled.abandoned - before.abandoned,
    };
    this.logger.log(
      `${this.stage.name} drained: acked ${drained.acked} deliveries (${drained.records} records), ` +
        `left ${drained.leftUnacked} for redelivery`,
    );
    return drained;
  }

  private receive(consumer: QueueConsumer, delivery: Delivery): void {
    let decoded: DecodedMessage;
    try {
      decoded = this.stage.decode(delivery.message);
    } catch (error) {
      decoded = {
        records: [],
        rejects: [
          {
            reason: `${this.stage.name} failed: ${(error as Error).message}`,
            body: delivery.message.content,
          },
        ],
      };
    }
    this.batcher.add({ consumer, delivery, decoded });
  }

  private async flush(batch: PendingDelivery[]): Promise<void> {
    try {
      await this.deliver(batch);
    } finally {
      // Consumption resumes once no batch is retrying: each is settled, or dropped because its channel is gone.
      await this.setPaused(this.retrying > 0);
    }
  }

  private async deliver(batch: PendingDelivery[]): Promise<void> {
    let retried = false;
    const deadLettered = new Set<object>();
    try {
      for (let attempt = 0; ; attempt++) {
        const live = batch.filter((pending) => pending.consumer.owns(pending.delivery));
        if (live.length === 0) return;
        const written = await this.writeIsolatingPoison(live.flatMap((pending) => pending.decoded.records));
        // A dead letter that cannot be published (the broker went away) also retries the whole batch.
        const settled =
          written.kind === 'unavailable'
            ? written
            : await this.deadLetter(live, written.refused, deadLettered);
        if (settled.kind === 'written') {
          for (const pending of live) pending.consumer.ack(pending.delivery);
          this.settled.acked += live.length;
          this.settled.records += live.reduce((sum, pending) => sum + pending.decoded.records.length, 0);
          return;
        }
        // Shutting down with the sink away: leave the deliveries unacked; the broker redelivers them.
        if (this.stopping) {
          this.settled.abandoned += live.length;
          return;
        }
        if (!retried) this.retrying++;
        retried = true;
        const delay = backoffDelayMs(attempt, RETRY_BACKOFF);
        this.logger.warn(
          `${live.length} deliveries not written (${settled.reason}); retrying in ${delay} ms`,
        );
        await this.setPaused(true);
        await this.retryDelay.wait(delay);
      }
    } finally {
      if (retried) this.retrying--;
    }
  }

  /**
   * Writes records, isolating those the sink refuses by halving: a refused
   * record costs log2(batch) extra writes, and every other record is written
   * exactly once. Unavailable as soon as any write is: the caller retries it all.
   */
  private async writeIsolatingPoison(
    records: LogRecord[],
  ): Promise<{ kind: 'written'; refused: RefusedRecord[] } | Unavailable> {
    const outcome = await this.writeOnce(records);
    if (outcome.kind === 'unavailable') return outcome;
    if (outcome.kind === 'written') return { kind: 'written', refused: [] };
    if (records.length === 1) {
      return {
        kind: 'written',
        refused: [{ record: records[0], reason: `${this.stage.name} refused: ${outcome.reason}` }],
      };
    }
    const middle = Math.ceil(records.length / 2);
    const first = await this.writeIsolatingPoison(records.slice(0, middle));
    if (first.kind === 'unavailable') return first;
    const second = await this.writeIsolatingPoison(records.slice(middle));
    if (second.kind === 'unavailable') return second;
    return { kind: 'written', refused: [...first.refused, ...second.refused] };
  }

  private async writeOnce(records: LogRecord[]): Promise<WriteOutcome> {
    try {
      return await this.stage.write(records);
    } catch (error) {
      this.logger.error(`${this.stage.name} stage threw, a bug; retrying: ${(error as Error).stack}`);
      return { kind: 'unavailable', reason: (error as Error).message };
    }
  }

  /**
   * Publishes the batch's dead letters. `sent` outlives a retry of the batch:
   * a letter confirmed before the broker went away is not sent again, so each
   * is dead-lettered once (unless its delivery itself is redelivered).
   */
  private async deadLetter(
    batch: PendingDelivery[],
    refused: RefusedRecord[],
    sent: Set<object>,
  ): Promise<{ kind: 'written' } | Unavailable> {
    const holders = new Map<LogRecord, PendingDelivery>();
    if (refused.length)
      for (const pending of batch) for (const record of pending.decoded.records) holders.set(record, pending);
    const letters: [key: object, letter: DeadLetter][] = [
      ...batch.flatMap((pending) =>
        pending.decoded.rejects.map((reject): [object, DeadLetter] => [
          reject,
          {
            ...reject,
            routingKey: pending.delivery.message.fields.routingKey,
            queue: pending.consumer.queue,
          },
        ]),
      ),
      ...refused.map(({ record, reason }): [object, DeadLetter] => {
        const holder = holders.get(record);
        // A record refused because it cannot be written as JSON goes out in the message that brought it.
        const body = tryEncodeBatch([record]);
        return [
          record,
          {
            body: body.ok ? body.value : (holder?.delivery.message.content ?? Buffer.alloc(0)),
            contentType: 'application/json',
            reason,
            routingKey: routingKey(record),
            queue: holder?.consumer.queue ?? this.stage.name,
          },
        ];
      }),
    ];
    const unsent = letters.filter(([key]) => !sent.has(key));
    let published = 0;
    try {
      // Settled wave by wave: a retry must not start while a letter of this attempt may still be confirmed.
      await inWaves(unsent, async ([key, letter]) => {
        await this.deadLetters.publish(letter);
        sent.add(key);
        published += letter.records ?? 1;
      });
    } catch (error) {
      if (error instanceof BrokerUnavailableError) return { kind: 'unavailable', reason: error.message };
      throw error;
    } finally {
      if (published) this.metrics.recordsDeadLettered.inc({ stage: this.stage.name }, published);
    }
    return WRITTEN;
  }

  private async setPaused(paused: boolean): Promise<void> {
    if (this.paused === paused || (this.stopping && !paused)) return;
    this.paused = paused;
    if (paused) this.logger.warn(`pausing ${this.options.queues.length} queue(s) until the sink recovers`);
    else this.logger.log('sink recovered; consuming again');
    await Promise.all(this.consumers.map((consumer) => (paused ? consumer.pause() : consumer.resume())));
  }
}
