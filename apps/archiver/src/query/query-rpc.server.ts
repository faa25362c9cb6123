import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ChannelWrapper } from 'amqp-connection-manager';
import { AmqpConnection, DeadLetterPublisher, Delivery, QueueConsumer } from '@logyard/amqp';
import { LogQueryService } from './log-query.service';
import { paramErrorReply, parseRpcRequest, RpcReply } from './rpc-request';

/** Requests answered at once; each holds a database connection while it runs. */
const RPC_PREFETCH = 4;
const REPLY_CONFIRM_TIMEOUT_MS = 10_000;

/**
 * GET /api/logs over AMQP, the classic RabbitMQ RPC pattern: requests on the
 * `rpc` queue carry `reply_to` and `correlation_id`; the answer goes to the
 * default exchange with routing key `reply_to` and the same correlation id,
 * so direct reply-to (`amq.rabbitmq.reply-to`) clients work as well as
 * clients with their own reply queue. The answer comes from the same
 * LogQueryService as HTTP, so both give the same page.
 *
 * A request is acked once its reply is confirmed; if the broker goes away in
 * between, the request is redelivered and answered again (a client matches
 * replies by correlation id and ignores extras). A reply that fails on a live
 * channel is not retried: the request is acked anyway, since its caller has a
 * timeout and an unacked request would hold a prefetch slot for good. A
 * request without `reply_to` can never be answered: it is dead-lettered with
 * its reason, so a misbehaving client shows up in the dead queue rather than
 * nowhere.
 */
@Injectable()
export class QueryRpcServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueryRpcServer.name);
  private consumer?: QueueConsumer;
  private replies?: ChannelWrapper;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly queries: LogQueryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const replies = this.connection.createChannel('rpc-replies', true);
    this.replies = replies;
    const consumer: QueueConsumer = new QueueConsumer(this.connection, {
      queue: this.connection.topology.names.rpc,
      prefetch: RPC_PREFETCH,
      onDelivery: (delivery) => this.track(this.handle(consumer, replies, delivery)),
    });
    this.consumer = consumer;
    await consumer.ready();
  }

  /** Stops taking requests and answers those in hand before the connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.pause();
    await Promise.all(this.inFlight);
    await this.consumer?.close();
    await this.replies?.close();
  }

  private async handle(consumer: QueueConsumer, replies: ChannelWrapper, delivery: Delivery): Promise<void> {
    const { content, properties, fields } = delivery.message;
    try {
      if (!properties.replyTo) {
        this.logger.warn('dead-lettered an RPC request without reply_to');
        await this.deadLetters.publish({
          body: content,
          contentType: properties.contentType,
          reason: 'RPC request without reply_to: there is nowhere to send the answer',
          routingKey: fields.routingKey,
          queue: consumer.queue,
        });
      } else {
        const reply = await this.answer(content);
        await replies.publish('', properties.replyTo, Buffer.from(JSON.stringify(reply)), {
          contentType: 'application/json',
          correlationId: properties.correlationId,
          timeout: REPLY_CONFIRM_TIMEOUT_MS,
        });
      }
    } catch (error) {
      this.logger.warn(`RPC request not answered: ${(error as Error).message}`);
    } finally {
      // A no-op when the delivery's channel has gone: the broker then redelivers the request.
      consumer.ack(delivery);
    }
  }

  private async answer(content: Buffer): Promise<RpcReply> {
    const params = parseRpcRequest(content);
    if (!params.ok) return paramErrorReply(params.error);
    try {
      const page = await this.queries.page(params.value);
      return page.ok ? page.value : paramErrorReply(page.error);
    } catch (error) {
      // As over HTTP: the client learns that it failed, the log says why.
      this.logger.error(`RPC query failed: ${(error as Error).message}`);
      return { error: { statusCode: 500, message: 'Internal server error' } };
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
