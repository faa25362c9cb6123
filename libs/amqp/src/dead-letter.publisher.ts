import { Injectable } from '@nestjs/common';
import { AmqpConnection } from './amqp-connection';
import { ConfirmPublisher } from './confirm-publisher';
import { COUNT_HEADER, ORIGINAL_QUEUE_HEADER, ORIGINAL_ROUTING_KEY_HEADER, REASON_HEADER } from './topology';

export interface DeadLetter {
  body: Buffer;
  reason: string;
  routingKey: string;
  queue: string;
  contentType?: string;
  /** How many refused records the body holds, when more than one; sent as COUNT_HEADER. */
  records?: number;
}

/**
 * Sends what cannot become a valid record to the dead exchange with its
 * reason, confirmed, so the caller may ack the original only afterwards and
 * nothing enters a requeue loop or disappears.
 */
@Injectable()
export class DeadLetterPublisher {
  constructor(
    private readonly connection: AmqpConnection,
    private readonly publisher: ConfirmPublisher,
  ) {}

  publish(letter: DeadLetter): Promise<void> {
    return this.publisher.publish(this.connection.topology.names.dead, letter.routingKey, letter.body, {
      contentType: letter.contentType,
      headers: {
        [REASON_HEADER]: letter.reason,
        [ORIGINAL_ROUTING_KEY_HEADER]: letter.routingKey,
        [ORIGINAL_QUEUE_HEADER]: letter.queue,
        ...(letter.records === undefined ? {} : { [COUNT_HEADER]: letter.records }),
      },
    });
  }
}
