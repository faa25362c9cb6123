import { decodeRecords, LogRecord, ParseOptions } from '@logyard/contracts';

/** What a stage made of one message: records to pass on, and parts that can never become records. */
export interface DecodedMessage {
  records: LogRecord[];
  rejects: { reason: string; body: Buffer; contentType?: string }[];
}

/**
 * Parses a message's JSON items into records, after `complete` filled in
 * anything an item leaves to its message (the router's routing-key defaults).
 * Each item that is not a valid record becomes its own reject: a dead letter
 * carrying that item as it was sent, named by its index when the message held
 * more than one.
 */
export function decodeJsonItems(
  items: unknown[],
  options: ParseOptions,
  complete?: (item: unknown) => unknown,
): DecodedMessage {
  const decoded = decodeRecords(complete ? items.map(complete) : items, options);
  return {
    records: decoded.records,
    rejects: decoded.errors.map(({ index, error }) => ({
      reason: items.length > 1 ? `record ${index}: ${error}` : error,
      body: Buffer.from(JSON.stringify(items[index]) ?? 'null'),
      contentType: 'application/json',
    })),
  };
}
