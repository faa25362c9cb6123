import { decodeRecords } from './batch';
import { LogRecord, ParseOptions } from './record';
import { err, ok, Result } from './result';

/**
 * What a stage made of one bus message: records to pass on, and parts that can never become records. Record
 * decoding, not transport: it lives with the record so a transform or a sink needs no broker library for it.
 */
export interface DecodedMessage {
  records: LogRecord[];
  rejects: { reason: string; body: Buffer; contentType?: string }[];
}

/**
 * Parses a message's JSON items into records, after `complete` filled in
 * anything an item leaves to its message (the router's routing-key defaults).
 * Each item that is not a valid record becomes its own reject: a dead letter
 * carrying that item as it was sent, named by its index when the message held
 * more than one. The message's own body stands in for an item JSON cannot
 * write again (one nested too deep for JSON.stringify's stack), and for the
 * only item of a message, which it is byte for byte.
 */
export function decodeJsonItems(
  message: { items: unknown[]; body: Buffer },
  options: ParseOptions,
  complete?: (item: unknown) => unknown,
): DecodedMessage {
  const { items, body } = message;
  const decoded = decodeRecords(complete ? items.map(complete) : items, options);
  return {
    records: decoded.records,
    rejects: decoded.errors.map(({ index, error }) => {
      const item = items.length > 1 ? tryEncodeItem(items[index]) : undefined;
      return {
        reason: items.length > 1 ? `record ${index}: ${error}` : error,
        body: item?.ok ? item.value : body,
        contentType: 'application/json',
      };
    }),
  };
}

function tryEncodeItem(item: unknown): Result<Buffer> {
  try {
    return ok(Buffer.from(JSON.stringify(item) ?? 'null'));
  } catch (error) {
    return err(String(error));
  }
}
