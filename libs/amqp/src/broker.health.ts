import { Injectable, OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry } from '@logyard/observability';
import { AmqpConnection } from './amqp-connection';

/** Reports the broker connection to /health/ready for every role. */
@Injectable()
export class BrokerHealthIndicator implements OnModuleInit {
  constructor(
    private readonly connection: AmqpConnection,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register(
      'broker',
      async () => this.connection.isConnected() || 'not connected to RabbitMQ',
    );
  }
}
