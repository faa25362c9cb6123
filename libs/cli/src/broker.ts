import amqplib, { ChannelModel } from 'amqplib';
import { redactUrl } from '@logyard/config';
import { failure, messageOf } from './cli-error';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects to RabbitMQ or fails with one line naming the URL (password
 * hidden) and how to start the broker. Connection errors after that are
 * left to the caller's 'close' handling rather than thrown as events.
 */
export async function connectBroker(url: string): Promise<ChannelModel> {
  let connection: ChannelModel;
  try {
    connection = await amqplib.connect(url, { timeout: CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw failure(
      `cannot reach RabbitMQ at ${redactUrl(url)} (${messageOf(error)}); ` +
        `start it with 'rabbitmq-server -detached' or set AMQP_URL`,
    );
  }
  // amqplib throws an 'error' event nobody listens to; every caller learns of the loss through 'close'.
  connection.on('error', () => undefined);
  return connection;
}

/** The line for an exchange or queue of the topology that is not there: Logyard never ran on this prefix. */
export function missingOnBroker(what: string): string {
  return `${what} does not exist on the broker; start Logyard first ('logyard start') or check AMQP_PREFIX`;
}

/** A clear line for an error that closed a channel: 404 means part of the topology is missing. */
export function describeBrokerError(error: unknown, what: string): string {
  return (error as { code?: unknown }).code === 404 ? missingOnBroker(what) : messageOf(error);
}
