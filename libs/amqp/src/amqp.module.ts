import { Global, Module } from '@nestjs/common';
import { AmqpConnection } from './amqp-connection';
import { ConfirmPublisher } from './confirm-publisher';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { BrokerHealthIndicator } from './broker.health';
import { LogsPublisher } from './logs-publisher';

/** One connection and one confirm publisher per process, shared by every role it runs. */
@Global()
@Module({
  providers: [AmqpConnection, ConfirmPublisher, LogsPublisher, DeadLetterPublisher, BrokerHealthIndicator],
  exports: [AmqpConnection, ConfirmPublisher, LogsPublisher, DeadLetterPublisher],
})
export class AmqpModule {}
