import { decodeRecords, parseJsonBody } from './batch';
import { LogRecord, ParseOptions } from './record';
import { err, ok, Result } from './result';

/**
 * What a stage made of one bus message: records to pass on, and parts that can never become records. Record
 * decoding, not transport: it lives with the record so a transform or a sink needs no broker library for it.
 */
export interface DecodedMessage {
  records: LogRecord[];
  rejects: Reject[];
}

/** A part of a message that can never become a record, dead-lettered with its reason. */
export interface Reject {
  reason: string;
  body: Buffer;
  contentType?: string;
  /** How many refused records the body holds, when more than one: the rest of a message's, as one letter. */
  records?: number;
}

/**
 * How many of one message's refused records are dead-lettered each on its own. The rest go out together, as
 * one JSON array: a 10 MB message of 2-byte items would otherwise become 5 million dead letters.
 */
export const SEPARATE_REJECTS = 100;

/**
 * The most records one bus message may carry: Logyard's publishers put at most MAX_BATCH_RECORDS (no more
 * than this) in one, the SDK its maxBatchRecords (likewise). A reader builds this many and refuses the rest
 * unread. Without a bound a message of BODY_LIMIT held 655,000 of the smallest records, all built before any
 * could be written: twenty such messages on the ingest exchange took the router to 3.5 GB and held its event
 * loop for up to 20 s at a time, past the broker's heartbeat.
 */
export const MAX_RECORDS_PER_MESSAGE = 10_000;

/** BODY_LIMIT's default: the most an HTTP body, or a bus message a stage reads, may hold. */
export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * Why a bus message over `maxBodyBytes` (BODY_LIMIT) is refused unread; undefined when it is not. RabbitMQ
 * takes messages up to 128 MB, whose records would hold a stage's event loop for a minute: past the broker's
 * heartbeat, so the broker would requeue the message and the stage read it again, for ever.
 */
export function oversizedMessage(body: Buffer, maxBodyBytes: number): string | undefined {
  if (body.length <= maxBodyBytes) return undefined;
  return `message of ${body.length} bytes is over BODY_LIMIT (${maxBodyBytes} bytes); publish fewer records per message`;
}

/** A bus message's JSON items (parseJsonBody), or its refusal unread when it is over `maxBodyBytes`. */
export function parseBusJson(body: Buffer, maxBodyBytes: number): Result<unknown[]> {
  const oversized = oversizedMessage(body, maxBodyBytes);
  return oversized ? err(oversized) : parseJsonBody(body);
}

/**
 * Parses a message's JSON items into records, after `complete` filled in
 * anything an item leaves to its message (the router's routing-key defaults).
 * Each of the first SEPARATE_REJECTS items that is not a valid record becomes
 * its own reject: a dead letter carrying that item as it was sent, named by
 * its index when the message held more than one. The message's own body
 * stands in for the only item of a message, which it is byte for byte, and,
 * once, for all the items JSON cannot write again (nested too deep for
 * JSON.stringify's stack): one letter each would copy the message as many
 * times. Any further refused items become one reject holding them all, and
 * the items past MAX_RECORDS_PER_MESSAGE another, unread.
 */
export function decodeJsonItems(
  message: { items: unknown[]; body: Buffer },
  options: ParseOptions,
  complete?: (item: unknown) => unknown,
): DecodedMessage {
  const { items, body } = message;
  const read = items.length > MAX_RECORDS_PER_MESSAGE ? items.slice(0, MAX_RECORDS_PER_MESSAGE) : items;
  const decoded = decodeRecords(complete ? read.map(complete) : read, options);
  const separate = decoded.errors.slice(0, SEPARATE_REJECTS);
  const rest = decoded.errors.slice(SEPARATE_REJECTS);
  const rejects: Reject[] = [];
  const unwritable: typeof separate = [];
  for (const refused of separate) {
    const item = items.length > 1 ? tryEncodeItem(items[refused.index]) : ok(body);
    if (!item.ok) unwritable.push(refused);
    else {
      const reason = items.length > 1 ? `record ${refused.index}: ${refused.error}` : refused.error;
      rejects.push({ reason, body: item.value, contentType: 'application/json' });
    }
  }
  if (unwritable.length > 0) {
    const [first] = unwritable;
    rejects.push({
      reason:
        `records ${unwritable.map(({ index }) => index).join(', ')} of this message refused, e.g. record ` +
        `${first.index}: ${first.error}; JSON cannot write them again, so this letter is the whole message`,
      body,
      contentType: 'application/json',
      ...(unwritable.length > 1 && { records: unwritable.length }),
    });
  }
  if (rest.length > 0) {
    rejects.push(
      rejectTogether(
        rest.map(({ index }) => items[index]),
        `${rest.length} more records of this message refused, from record ${rest[0].index} on, ` +
          `e.g. record ${rest[0].index}: ${rest[0].error}`,
        body,
      ),
    );
  }
  if (read.length < items.length) {
    rejects.push(
      rejectTogether(
        items.slice(read.length),
        `message holds ${items.length} records, more than the ${MAX_RECORDS_PER_MESSAGE} one message ` +
          `may carry: records ${read.length} on refused unread; publish fewer records per message`,
        body,
      ),
    );
  }
  return { records: decoded.records, rejects };
}

/**
 * Refused items as one dead letter: a JSON array of them with their count, or the message's own body when
 * JSON cannot write them again.
 */
function rejectTogether(refused: unknown[], reason: string, body: Buffer): Reject {
  const together = tryEncodeItem(refused);
  return {
    reason,
    body: together.ok ? together.value : body,
    contentType: 'application/json',
    records: refused.length,
  };
}

function tryEncodeItem(item: unknown): Result<Buffer> {
  try {
    return ok(Buffer.from(JSON.stringify(item) ?? 'null'));
  } catch (error) {
    return err(String(error));
  }
}
