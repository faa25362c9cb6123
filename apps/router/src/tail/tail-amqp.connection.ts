import { Injectable } from '@nestjs/common';
import { AmqpConnection } from '@logyard/amqp';

/**
 * The RabbitMQ connection live tails run on, apart from the process's main
 * one. Each tail holds a channel; a connection has at most 2,047, and the
 * main one carries publishing and consuming, so tails must never be able to
 * take those channels (or stall that connection's flow control) however
 * many clients come. It reconnects, and re-runs each tail's setup, like the
 * main connection. A fault on one tail's channel ends that tail alone
 * (TailSession): forcing a reconnect would resubscribe every other tail.
 */
@Injectable()
export class TailAmqpConnection extends AmqpConnection {
  protected override readonly connectionName = 'logyard tail';
  protected override readonly reconnectsOnChannelFault = false;
}
