import { encodeBatch, LogRecord, toWire } from '@logyard/contracts';
import { toRoutedBatches } from './record-batches';

/**
 * The most one message of records carries, whoever publishes it: the collector, the router, the SDK. A bound
 * in records alone is not one in bytes: the router refuses a message over BODY_LIMIT (10 MB by default)
 * unread, RabbitMQ closes the channel of a publish over its max_message_size (128 MiB), and a syslog byte
 * can take six in JSON (\u0001), so 1,000 records of 64 KB could come to 384 MB. 1 MiB keeps far below any
 * sensible limit while a message still holds hundreds of ordinary records.
 */
export const MAX_BATCH_MESSAGE_BYTES = 1024 * 1024;

/** One message's records and its body in Logyard's wire format. */
export interface BatchMessage {
  records: LogRecord[];
  body: Buffer;
}

/**
 * Encodes one batch as messages of at most `maxBytes`: usually one, encoded once. A batch over the bound is
 * cut where each record's own encoding says, and each message joined from those encodings, so the work stays
 * linear; a lone record over it is a message of its own (the router refuses it with its reason, rather than
 * the SDK dropping it unseen).
 */
export function batchMessages(records: LogRecord[], maxBytes = MAX_BATCH_MESSAGE_BYTES): BatchMessage[] {
  const whole = encodeBatch(records);
  if (whole.length <= maxBytes) return [{ records, body: whole }];
  // A message's body is its records' JSON joined by commas in brackets, byte for byte what encodeBatch writes.
  const messages: BatchMessage[] = [];
  let part: LogRecord[] = [];
  let json: string[] = [];
  let bytes = 0;
  const flush = () => messages.push({ records: part, body: Buffer.from(`[${json.join(',')}]`, 'utf8') });
  for (const record of records) {
    const text = JSON.stringify(toWire(record));
    const size = Buffer.byteLength(text);
    // The part's encoding is "[", its records with a comma between each two, and "]".
    if (part.length && 2 + bytes + part.length + size > maxBytes) {
      flush();
      part = [];
      json = [];
      bytes = 0;
    }
    part.push(record);
    json.push(text);
    bytes += size;
  }
  flush();
  return messages;
}

/** One message to publish: records sharing one routing key, and their body. */
export interface RoutedMessage extends BatchMessage {
  routingKey: string;
}

/**
 * Records as the messages to publish: grouped by routing key (toRoutedBatches), at most `maxRecords` and
 * MAX_BATCH_MESSAGE_BYTES each. Throws what JSON.stringify throws on a record it cannot write.
 */
export function toRoutedMessages(records: readonly LogRecord[], maxRecords: number): RoutedMessage[] {
  return toRoutedBatches(records, maxRecords).flatMap(({ routingKey, records }) =>
    batchMessages(records).map((message) => ({ routingKey, ...message })),
  );
}
