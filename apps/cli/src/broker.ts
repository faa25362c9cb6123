import amqplib, { ChannelModel } from 'amqplib';
import { redactUrl } from '@logyard/config/env';
import { failure, messageOf } from './cli-error';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects to the first node of `urls` (AMQP_URL's list) that answers, trying
 * each once in order, or fails with one line naming every URL (passwords
 * hidden), the last node's error, and how to start the broker. Connection
 * errors after that are left to the caller's 'close' handling rather than
 * thrown as events.
 */
export async function connectBroker(urls: readonly string[]): Promise<ChannelModel> {
  let lastError: unknown;
  for (const url of urls) {
    try {
      const connection = await amqplib.connect(url, { timeout: CONNECT_TIMEOUT_MS });
      // amqplib throws an 'error' event nobody listens to; every caller learns of the loss through 'close'.
      connection.on('error', () => undefined);
      return connection;
    } catch (error) {
      lastError = error;
    }
  }
  throw failure(
    `cannot reach RabbitMQ at ${urls.map(redactUrl).join(', ')} (${messageOf(lastError)}); ` +
      `start it with 'rabbitmq-server -detached' or set AMQP_URL`,
  );
}

/** The line for an exchange or queue of the topology that is not there: Logyard never ran on this prefix. */
export function missingOnBroker(what: string): string {
  return `${what} does not exist on the broker; start Logyard first ('logyard start') or check AMQP_PREFIX`;
}

/** A clear line for an error that closed a channel: 404 means part of the topology is missing. */
export function describeBrokerError(error: unknown, what: string): string {
  return (error as { code?: unknown }).code === 404 ? missingOnBroker(what) : messageOf(error);
}
