import amqplib from 'amqplib';
import { Client } from 'pg';
import { dropLeftoverDatabases, PG_SERVER_URL } from '../libs/testing/src/databases';

/**
 * Runs once before the e2e and fault suites: fails fast, with the fix, when
 * RabbitMQ or PostgreSQL is not running, and removes test databases that a
 * killed earlier run could not drop.
 */
export default async function globalSetup(): Promise<void> {
  const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  try {
    const connection = await amqplib.connect(amqpUrl);
    await connection.close();
  } catch (error) {
    throw new Error(
      `RabbitMQ is not reachable at 127.0.0.1:5672 (${(error as Error).message}); run 'rabbitmq-server -detached'`,
    );
  }
  await assertPostgresRunning();
  await dropLeftoverDatabases();
}

/** Fails with the fix when PostgreSQL is not running (the medium tier's setup too). */
export async function assertPostgresRunning(): Promise<void> {
  const client = new Client({ connectionString: `${PG_SERVER_URL}/postgres` });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_SERVER_URL} (${(error as Error).message}); ` +
        `run 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'`,
    );
  }
}
