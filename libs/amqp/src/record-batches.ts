import { LogRecord, routingKey } from '@logyard/contracts';

/**
 * Splits records into wire batches: every batch shares one routing key (the
 * key is the message's, DESIGN §2) and holds at most `maxRecords` records.
 */
export function toRoutedBatches(
  records: readonly LogRecord[],
  maxRecords: number,
): { routingKey: string; records: LogRecord[] }[] {
  const groups = new Map<string, LogRecord[]>();
  for (const record of records) {
    const key = routingKey(record);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  const batches: { routingKey: string; records: LogRecord[] }[] = [];
  for (const [key, group] of groups) {
    for (let start = 0; start < group.length; start += maxRecords) {
      batches.push({ routingKey: key, records: group.slice(start, start + maxRecords) });
    }
  }
  return batches;
}
