import { Global, Module } from '@nestjs/common';
import { AmqpConnection } from './amqp-connection';
import { ConfirmPublisher } from './confirm-publisher';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { BrokerHealthIndicator } from './broker.health';

/** One connection and one confirm publisher per process, shared by every role it runs. */
@Global()
@Module({
  providers: [AmqpConnection, ConfirmPublisher, DeadLetterPublisher, BrokerHealthIndicator],
  exports: [AmqpConnection, ConfirmPublisher, DeadLetterPublisher],
})
export class AmqpModule {}
