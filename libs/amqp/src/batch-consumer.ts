import { Logger } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { encodeBatch, LogRecord, routingKey } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { backoffDelayMs, LingerBatcher, RetryDelay } from '@logyard/pipeline';
import { AmqpConnection } from './amqp-connection';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { DecodedMessage } from './decoded-message';
import { Delivery, QueueConsumer } from './queue-consumer';

export interface BatchConsumerOptions {
  /** Names the stage in logs and in the dead-letter metric. */
  stage: string;
  queues: string[];
  prefetch: number;
  maxRecords: number;
  lingerMs: number;
  /**
   * Batches written at once (default 1). Deliveries are acked one by one, so
   * batches may complete in any order; a sink such as PostgreSQL uses a
   * second core for a second writer.
   */
  maxConcurrentWrites?: number;
  /** Pure and total: anything it cannot use goes into `rejects`, it never throws for bad input. */
  decode: (message: ConsumeMessage) => DecodedMessage;
  /** The stage's sink; resolves once the records are durable downstream, rejects to have the batch retried. */
  write: (records: LogRecord[]) => Promise<void>;
  /**
   * Whether a write failed because of the records themselves (a row the
   * database refuses), so retrying can never succeed. Such a batch is halved
   * until each refused record stands alone, and those are dead-lettered.
   * Every other failure is taken as an outage and retried.
   */
  isPoison?: (error: unknown) => boolean;
}

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
    private readonly options: BatchConsumerOptions,
  ) {
    this.logger = new Logger(`${options.stage} consumer`);
    this.batcher = new LingerBatcher<PendingDelivery>({
      maxWeight: options.maxRecords,
      lingerMs: options.lingerMs,
      maxConcurrentFlushes: options.maxConcurrentWrites,
      weigh: (pending) => Math.max(1, pending.decoded.records.length),
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
      `${this.options.stage} drained: acked ${drained.acked} deliveries (${drained.records} records), ` +
        `left ${drained.leftUnacked} for redelivery`,
    );
    return drained;
  }

  private receive(consumer: QueueConsumer, delivery: Delivery): void {
    let decoded: DecodedMessage;
    try {
      decoded = this.options.decode(delivery.message);
    } catch (error) {
      decoded = {
        records: [],
        rejects: [
          {
            reason: `${this.options.stage} failed: ${(error as Error).message}`,
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
    try {
      for (let attempt = 0; ; attempt++) {
        const live = batch.filter((pending) => pending.consumer.owns(pending.delivery));
        if (live.length === 0) return;
        try {
          const refused = await this.writeIsolatingPoison(live.flatMap((pending) => pending.decoded.records));
          await this.deadLetter(live, refused);
          for (const pending of live) pending.consumer.ack(pending.delivery);
          this.settled.acked += live.length;
          this.settled.records += live.reduce((sum, pending) => sum + pending.decoded.records.length, 0);
          return;
        } catch (error) {
          // Shutting down with the sink away: leave the deliveries unacked; the broker redelivers them.
          if (this.stopping) {
            this.settled.abandoned += live.length;
            return;
          }
          if (!retried) this.retrying++;
          retried = true;
          const delay = backoffDelayMs(attempt, RETRY_BACKOFF);
          this.logger.warn(
            `${live.length} deliveries not written (${(error as Error).message}); retrying in ${delay} ms`,
          );
          await this.setPaused(true);
          await this.retryDelay.wait(delay);
        }
      }
    } finally {
      if (retried) this.retrying--;
    }
  }

  /** Writes records; returns those the sink refused for what they are, each with its reason. */
  private async writeIsolatingPoison(records: LogRecord[]): Promise<RefusedRecord[]> {
    try {
      await this.options.write(records);
      return [];
    } catch (error) {
      if (!this.options.isPoison?.(error)) throw error;
      if (records.length === 1) {
        return [{ record: records[0], reason: `${this.options.stage} refused: ${(error as Error).message}` }];
      }
      const middle = Math.ceil(records.length / 2);
      return [
        ...(await this.writeIsolatingPoison(records.slice(0, middle))),
        ...(await this.writeIsolatingPoison(records.slice(middle))),
      ];
    }
  }

  private async deadLetter(batch: PendingDelivery[], refused: RefusedRecord[]): Promise<void> {
    const queueOf = (record: LogRecord) =>
      batch.find((pending) => pending.decoded.records.includes(record))?.consumer.queue ?? this.options.stage;
    const letters = [
      ...batch.flatMap((pending) =>
        pending.decoded.rejects.map((reject) =>
          this.deadLetters.publish({
            ...reject,
            routingKey: pending.delivery.message.fields.routingKey,
            queue: pending.consumer.queue,
          }),
        ),
      ),
      ...refused.map(({ record, reason }) =>
        this.deadLetters.publish({
          body: encodeBatch([record]),
          contentType: 'application/json',
          reason,
          routingKey: routingKey(record),
          queue: queueOf(record),
        }),
      ),
    ];
    await Promise.all(letters);
    if (letters.length) this.metrics.recordsDeadLettered.inc({ stage: this.options.stage }, letters.length);
  }

  private async setPaused(paused: boolean): Promise<void> {
    if (this.paused === paused || (this.stopping && !paused)) return;
    this.paused = paused;
    if (paused) this.logger.warn(`pausing ${this.options.queues.length} queue(s) until the sink recovers`);
    else this.logger.log('sink recovered; consuming again');
    await Promise.all(this.consumers.map((consumer) => (paused ? consumer.pause() : consumer.resume())));
  }
}
