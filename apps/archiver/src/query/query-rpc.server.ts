import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChannelWrapper } from 'amqp-connection-manager';
import { AmqpConnection, DeadLetterPublisher, Delivery, QueueConsumer } from '@logyard/amqp';
import { TokenSet } from '@logyard/auth';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { QueryParams, RpcReply } from '@logyard/contracts';
import { BackgroundWorker } from '@logyard/runtime';
import { LogQueryService, readFailure } from './log-query.service';
import { RpcReplyConnection } from './rpc-reply.connection';
import { paramErrorReply, RpcPolicy, vetRpcRequest } from './rpc-request';

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
 * timeout and an unacked request would hold a prefetch slot for good.
 * Each request is vetted first (see vetRpcRequest): QUERY_TOKENS apply as
 * over HTTP, the body is capped, and one whose `reply_to` is missing or no
 * reply queue can never be answered: it is dead-lettered with its reason, so
 * a misbehaving client shows up in the dead queue rather than nowhere.
 * Replies go out on a connection of their own (see RpcReplyConnection).
 */
@Injectable()
export class QueryRpcServer implements BackgroundWorker {
  private readonly logger = new Logger(QueryRpcServer.name);
  private consumer?: QueueConsumer;
  private replies?: ChannelWrapper;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly policy: RpcPolicy;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly replyConnection: RpcReplyConnection,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly queries: LogQueryService,
    @Inject(LOGYARD_CONFIG) config: LogyardConfig,
  ) {
    this.policy = {
      tokens: new TokenSet(config.auth.queryTokens),
      maxRequestBytes: config.query.rpcMaxRequestBytes,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const replies = this.replyConnection.createChannel('rpc-replies', true);
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
      const verdict = vetRpcRequest(delivery.message, this.policy);
      if (verdict.action === 'dead-letter') {
        this.logger.warn(`dead-lettered an RPC request: ${verdict.reason}`);
        await this.deadLetters.publish({
          body: content,
          contentType: properties.contentType,
          reason: verdict.reason,
          routingKey: fields.routingKey,
          queue: consumer.queue,
        });
      } else {
        const reply = verdict.action === 'reply' ? verdict.reply : await this.answer(verdict.params);
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

  private async answer(params: QueryParams): Promise<RpcReply> {
    try {
      const page = await this.queries.page(params);
      return page.ok ? page.value : paramErrorReply(page.error);
    } catch (error) {
      const failure = readFailure(error);
      if (failure) return { error: failure };
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
