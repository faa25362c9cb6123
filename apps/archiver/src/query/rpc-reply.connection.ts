import { Injectable } from '@nestjs/common';
import { AmqpConnection } from '@logyard/amqp';

/**
 * The RabbitMQ connection RPC replies are published on, apart from the
 * process's main one. A reply goes wherever the caller's `reply_to` says, and
 * RabbitMQ answers a name under `amq.rabbitmq.reply-to.` that does not decode
 * by closing the whole publishing connection (541 INTERNAL_ERROR): on the main
 * connection one forged request would take the archive's consumers down, and
 * its redelivery would do so again. Here it costs the replies in flight; the
 * request itself is acked on the main connection, so it is not redelivered.
 */
@Injectable()
export class RpcReplyConnection extends AmqpConnection {
  protected override readonly connectionName = 'logyard rpc replies';
}
