import { randomBytes } from 'node:crypto';
import amqplib, { ConfirmChannel } from 'amqplib';
import { COUNT_HEADER, REASON_HEADER, topologyNames } from '@logyard/amqp';

/** `depth` levels of `{"a":…}` as JSON text: JSON.parse reads any depth, JSON.stringify overflows at ~10,000. */
export function nestedJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/**
 * What a Logyard must be configured with for {@link tooLongForTsvector} to pass every parser: an operator's
 * MAX_MESSAGE_BYTES raised to 2 MiB.
 */
export const POISON_LIMITS = { MAX_MESSAGE_BYTES: String(2 * 1024 * 1024) };

/**
 * A message valid to every parser under POISON_LIMITS that PostgreSQL still refuses: 40,000 distinct words,
 * whose full-text index entry (a tsvector of 1.4 MB) is over PostgreSQL's 1 MB. (A huge host was that
 * example until host and service were limited to 255 characters, and a lone surrogate before that, until
 * the archive learned to store it as U+FFFD.)
 */
export function tooLongForTsvector(): string {
  return Array.from({ length: 40_000 }, () => randomBytes(16).toString('hex')).join(' ');
}

/**
 * One message of each kind of poison an AMQP publisher can put on the ingest
 * exchange, with the reason its dead letter must give (issue 11). The last is
 * valid everywhere but in PostgreSQL, under POISON_LIMITS.
 */
export const POISON_MESSAGES: { kind: string; body: string; reason: RegExp }[] = [
  {
    kind: 'deep nesting',
    body: `{"message":"deep","attributes":${nestedJson(20_000)}}`,
    reason: /^attributes: nested deeper than 32 levels$/,
  },
  {
    kind: 'oversized attributes',
    body: JSON.stringify({ message: 'big', attributes: { blob: 'x'.repeat(100 * 1024) } }),
    reason: /^attributes: larger than 65536 bytes as JSON$/,
  },
  { kind: 'not JSON', body: '{"message": "unterminated', reason: /^body is not valid JSON/ },
  {
    kind: 'refused by PostgreSQL',
    body: JSON.stringify({ message: tooLongForTsvector() }),
    reason: /^archiver refused: string is too long for tsvector/,
  },
];

/** Publishes JSON bodies to a prefix's ingest exchange on a confirm channel; resolves once all are confirmed. */
export function publishToIngest(
  amqpUrl: string,
  prefix: string,
  bodies: string[],
  routingKey = 'poison.test.info',
): Promise<void> {
  return publishJson(amqpUrl, topologyNames(prefix).ingest, bodies, routingKey);
}

/** Publishes JSON bodies to any exchange on a confirm channel, as a broker user allowed to write there may. */
export async function publishJson(
  amqpUrl: string,
  exchange: string,
  bodies: string[],
  routingKey: string,
): Promise<void> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel: ConfirmChannel = await connection.createConfirmChannel();
    for (const body of bodies) {
      channel.publish(exchange, routingKey, Buffer.from(body), {
        contentType: 'application/json',
        persistent: true,
      });
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** A dead letter as a test reads it: its reason, how many records it holds (COUNT_HEADER), its body. */
export interface TakenDeadLetter {
  reason: string;
  count?: number;
  body: string;
}

/** Every message on a prefix's dead-letter queue, taking them off it. */
export async function takeDeadLetters(amqpUrl: string, prefix: string): Promise<TakenDeadLetter[]> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const letters: TakenDeadLetter[] = [];
    for (let m; (m = await channel.get(topologyNames(prefix).deadQueue, { noAck: true }));) {
      const headers = m.properties.headers ?? {};
      letters.push({
        reason: String(headers[REASON_HEADER]),
        count: headers[COUNT_HEADER],
        body: m.content.toString(),
      });
    }
    return letters;
  } finally {
    await connection.close();
  }
}

/** The reasons of every message on a prefix's dead-letter queue, taking them off it. */
export async function takeDeadLetterReasons(amqpUrl: string, prefix: string): Promise<string[]> {
  return (await takeDeadLetters(amqpUrl, prefix)).map((letter) => letter.reason);
}

/** How many messages wait on a prefix's dead-letter queue, without taking them. */
export async function deadLetterCount(amqpUrl: string, prefix: string): Promise<number> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(topologyNames(prefix).deadQueue)).messageCount;
  } finally {
    await connection.close();
  }
}
