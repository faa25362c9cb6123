import { randomBytes } from 'node:crypto';
import amqplib from 'amqplib';
import { buildTopology } from '@logyard/amqp';
import { dropDatabase, PG_SERVER_URL, TEST_DATABASE_STEM } from './databases';

export const TEST_PREFIX_STEM = 'lytest_';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/**
 * One isolated Logyard world: its own AMQP prefix and its own database, so
 * suites never see each other's records. `env` is what a Logyard process of
 * this world reads.
 */
export interface TestEnvironment {
  id: string;
  prefix: string;
  databaseUrl: string;
  amqpUrl: string;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export function createTestEnvironment(overrides: Record<string, string> = {}): TestEnvironment {
  const id = randomBytes(4).toString('hex');
  const prefix = `${TEST_PREFIX_STEM}${id}`;
  const databaseUrl = `${PG_SERVER_URL}/${TEST_DATABASE_STEM}${id}`;
  return {
    id,
    prefix,
    databaseUrl,
    amqpUrl: AMQP_URL,
    env: {
      AMQP_URL,
      AMQP_PREFIX: prefix,
      DATABASE_URL: databaseUrl,
      ARCHIVER_FLUSH_MS: '50',
      // Any free port on loopback, so concurrent runs never fight over 5514.
      SYSLOG_PORT: '0',
      SYSLOG_HOST: '127.0.0.1',
      ...overrides,
    },
    dispose: async () => {
      await deleteTopology(prefix);
      await dropDatabase(`${TEST_DATABASE_STEM}${id}`);
    },
  };
}

/** Deletes every exchange and queue of a prefix's topology (and what they held). */
export async function deleteTopology(prefix: string): Promise<void> {
  const topology = buildTopology(prefix, 'classic');
  const connection = await amqplib.connect(AMQP_URL);
  try {
    for (const queue of topology.queues) {
      const channel = await connection.createChannel();
      await channel.deleteQueue(queue.name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    for (const exchange of topology.exchanges) {
      const channel = await connection.createChannel();
      await channel.deleteExchange(exchange.name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}
