import { LogRecord, routingKey, shorterRoutingKeys } from '@logyard/contracts';
import { COUNT_HEADER, HOST_HEADER, SERVICE_HEADER, SEVERITY_HEADER } from './topology';

/** One wire batch: records sharing one routing key. */
export interface RoutedBatch {
  routingKey: string;
  records: LogRecord[];
}

/**
 * Splits records into wire batches: every batch shares one routing key (the
 * key is the message's, DESIGN §2) and holds at most `maxRecords` records.
 */
export function toRoutedBatches(records: readonly LogRecord[], maxRecords: number): RoutedBatch[] {
  const groups = new Map<string, LogRecord[]>();
  for (const record of records) {
    const key = routingKey(record);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  const batches: RoutedBatch[] = [];
  for (const [key, group] of groups) {
    for (let start = 0; start < group.length; start += maxRecords) {
      batches.push({ routingKey: key, records: group.slice(start, start + maxRecords) });
    }
  }
  return batches;
}

/** Headers of a batch message on the ingest exchange: its record count. */
export function batchHeaders(batch: RoutedBatch): Record<string, unknown> {
  return { [COUNT_HEADER]: batch.records.length };
}

/**
 * Headers of a batch message on the logs exchange; every publish to logs takes its headers from here, so the
 * tutorial's subscriptions see every record. Beside the count:
 * - `BCC` adds the batch's `service.severity` and `severity` keys to the one publish (sender-selected
 *   distribution), for `*.error`, `checkout.*` and the severity exchange's direct bindings. The broker delivers
 *   a message at most once per queue however many of its keys match, and strips `BCC` before delivery, so
 *   subscribers see only the `host.service.severity` routing key;
 * - host, service and severity: the key's routing tokens, for the headers exchange.
 */
export function logsBatchHeaders(batch: RoutedBatch): Record<string, unknown> {
  const key = batch.routingKey;
  const [serviceSeverity, severity] = shorterRoutingKeys(key);
  return {
    [COUNT_HEADER]: batch.records.length,
    BCC: [serviceSeverity, severity],
    [HOST_HEADER]: key.slice(0, key.indexOf('.')),
    [SERVICE_HEADER]: serviceSeverity.slice(0, serviceSeverity.indexOf('.')),
    [SEVERITY_HEADER]: severity,
  };
}
