import {
  confirmPublishOptions,
  COUNT_HEADER,
  DEFAULT_CONFIRM_TIMEOUT_MS,
  TopologyNames,
  waitForConfirmsWithin,
} from '@logyard/amqp/client';
import { encodeBatch, parseLogRecord, parseRoutingKey, routingKey } from '@logyard/contracts';
import { connectBroker, describeBrokerError } from './broker';
import { failure, usageError } from './cli-error';

/**
 * `logyard send host.service.severity message…` (or service.severity, severity): publishes one record to the
 * ingest exchange, persistent and mandatory, and resolves with its id only
 * once the broker confirmed it — so a script can trust exit 0.
 */
export async function sendRecord(
  amqpUrls: readonly string[],
  names: TopologyNames,
  key: string,
  words: string[],
): Promise<string> {
  const parts = parseRoutingKey(key);
  if (!parts.ok) throw usageError(parts.error);
  const record = parseLogRecord({ ...parts.value, message: words.join(' ') });
  if (!record.ok) throw usageError(record.error);

  const connection = await connectBroker(amqpUrls);
  let blocked: string | undefined;
  connection.on('blocked', (reason: string) => (blocked = reason));
  connection.on('unblocked', () => (blocked = undefined));
  try {
    const channel = await connection.createConfirmChannel();
    let error: Error | undefined;
    channel.on('error', (e: Error) => (error = e));
    let unroutable = false;
    channel.on('return', () => (unroutable = true));
    channel.publish(
      names.ingest,
      routingKey(record.value),
      encodeBatch([record.value]),
      confirmPublishOptions(
        { mandatory: true, messageId: record.value.id, headers: { [COUNT_HEADER]: 1 } },
        DEFAULT_CONFIRM_TIMEOUT_MS,
      ),
    );
    await waitForConfirmsWithin(channel, DEFAULT_CONFIRM_TIMEOUT_MS, () => blocked).catch((e: Error) => {
      throw failure(describeBrokerError(error ?? e, `exchange ${names.ingest}`));
    });
    // The broker returns a mandatory message before confirming it.
    if (unroutable) {
      throw failure(`no queue is bound to ${names.ingest}, so nothing took the record; start Logyard first`);
    }
    return record.value.id;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
