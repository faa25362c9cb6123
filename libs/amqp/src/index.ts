export * from './client';
export * from './amqp-connection';
export * from './confirm-publisher';
export * from './logs-publisher';
export * from './queue-consumer';
export * from './dead-letter.publisher';
export * from './amqp.module';
export * from './batch-consumer';
