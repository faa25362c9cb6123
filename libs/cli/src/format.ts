import { LogRecord, routingKey } from '@logyard/contracts';

/** `[x] 'host.service.severity': message` — the line of the RabbitMQ tutorial's receive_logs_topic. */
export function formatTailLine(record: LogRecord): string {
  return `[x] '${routingKey(record)}': ${oneLine(record.message)}`;
}

/** `ts host service severity message`, the columns an operator scans. */
export function formatQueryLine(record: LogRecord): string {
  return `${record.ts} ${record.host} ${record.service} ${record.severity} ${oneLine(record.message)}`;
}

// One record per line keeps grep, wc -l and awk honest; --json gives the message exactly.
function oneLine(message: string): string {
  return message.replace(/\r\n|\r|\n/g, '\\n');
}
