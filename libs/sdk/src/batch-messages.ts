import { encodeBatch, LogRecord, toWire } from '@logyard/contracts';

/**
 * The most one SDK message carries. The router refuses a message over BODY_LIMIT (10 MB by default) unread,
 * and 500 records of up to 128 KB each could come to 64 MB; 1 MiB keeps far below any sensible limit while
 * a message still holds hundreds of ordinary records.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

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
export function batchMessages(records: LogRecord[], maxBytes = MAX_MESSAGE_BYTES): BatchMessage[] {
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
