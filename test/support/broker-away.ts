import { AmqpConnection } from '@logyard/amqp';
import { CollectorModule } from '@logyard/collector';
import { createTestEnvironment, startLogyard } from '@logyard/testing';
import { request } from './http';

/**
 * What a client is answered when the collector has lost RabbitMQ: POSTs `body` to `path` on a collector of
 * its own (a fresh environment, so no other test's broker connection is touched), after closing its
 * connection the way a broker outage does.
 */
export async function postWhileBrokerAway(path: string, body: unknown): ReturnType<typeof request> {
  const world = createTestEnvironment();
  const collector = await startLogyard([CollectorModule], world.env);
  try {
    // What the collector sees when RabbitMQ goes away: a closed connection.
    await collector.app.get(AmqpConnection).onApplicationShutdown();
    return await request(`${collector.url}${path}`, { body });
  } finally {
    await collector.close();
    await world.dispose();
  }
}
