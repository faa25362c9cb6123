import { randomBytes } from 'node:crypto';
import amqplib, { ConfirmChannel } from 'amqplib';
import { COUNT_HEADER, REASON_HEADER, topologyNames } from '@logyard/amqp';

/** `depth` levels of `{"a":…}` as JSON text: JSON.parse reads any depth, JSON.stringify overflows at ~10,000. */
export function nestedJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/**
 * One message of each kind of poison an AMQP publisher can put on the ingest
 * exchange, with the reason its dead letter must give (issue 11). The last is
 * valid everywhere but in PostgreSQL: its host, random so it cannot compress,
 * is too large for a btree index entry. (A lone surrogate was that example
 * until the archive learned to store it as U+FFFD.)
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
    body: JSON.stringify({ host: randomBytes(6000).toString('hex'), message: 'too large to index' }),
    reason: /^archiver refused: .*index row/,
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
