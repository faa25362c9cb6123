import { validate as isUuid } from 'uuid';
import {
  DecodedMessage,
  decodeJsonItems,
  oversizedMessage,
  parseJsonBody,
  parseLogRecord,
  parseRoutingKey,
  ParseOptions,
} from '@logyard/contracts';

/** What the router needs of an AMQP message; no transport types here. */
export interface InboundMessage {
  body: Buffer;
  routingKey: string;
  contentType?: string;
  /** AMQP `timestamp` property: seconds since the epoch. */
  timestamp?: number;
  messageId?: string;
}

export interface NormaliseOptions extends ParseOptions {
  /** BODY_LIMIT: a larger message is refused whole and unread, as an HTTP body over it is. */
  maxBodyBytes: number;
}

/**
 * Turns whatever an AMQP client published on the ingest exchange into
 * records: a JSON record, a JSON array of records (Logyard's own batches), or
 * a plain-text line whose host, service and severity come from the routing
 * key (the classic RabbitMQ tutorial publishers: `host.service.severity`, or
 * `service.severity` / `severity` with host `unknown`). A JSON record that
 * lacks host, service or severity takes them from such a key.
 *
 * Total: every record it cannot make is returned as a reject with its reason,
 * one per bad array item, or one for the whole message.
 */
export function normaliseMessage(message: InboundMessage, options: NormaliseOptions): DecodedMessage {
  const oversized = oversizedMessage(message.body, options.maxBodyBytes);
  if (oversized) return rejectAll(message, oversized);
  if (looksLikeJson(message)) {
    const items = parseJsonBody(message.body);
    if (items.ok) return normaliseJson(items.value, message, options);
    if (isDeclaredJson(message)) return rejectAll(message, items.error);
  }
  return normalisePlainText(message, options);
}

function normaliseJson(items: unknown[], message: InboundMessage, options: ParseOptions): DecodedMessage {
  const key = parseRoutingKey(message.routingKey);
  return decodeJsonItems(
    { items, body: message.body },
    options,
    key.ok ? (item) => fillFromKey(item, key.value) : undefined,
  );
}

function normalisePlainText(message: InboundMessage, options: ParseOptions): DecodedMessage {
  const key = parseRoutingKey(message.routingKey);
  if (!key.ok)
    return rejectAll(message, `plain-text message needs a routing key naming its severity: ${key.error}`);
  const record = parseLogRecord(
    {
      ...key.value,
      message: message.body.toString('utf8'),
      ...(message.timestamp ? { ts: message.timestamp * 1000 } : {}),
      ...(message.messageId && isUuid(message.messageId) ? { id: message.messageId } : {}),
      ...(message.messageId && !isUuid(message.messageId)
        ? { attributes: { 'amqp.message_id': message.messageId } }
        : {}),
    },
    options,
  );
  return record.ok ? { records: [record.value], rejects: [] } : rejectAll(message, record.error);
}

function fillFromKey(item: unknown, key: { host: string; service: string; severity: string }): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
  const record = item as Record<string, unknown>;
  const has = (...names: string[]) =>
    names.some((name) => record[name] !== undefined && record[name] !== null && record[name] !== '');
  const hasHost = has('host', 'hostname');
  const hasService = has('service');
  const hasSeverity = has('severity', 'level');
  // Logyard's own batches always carry all three: no copy for them.
  if (hasHost && hasService && hasSeverity) return record;
  return {
    ...record,
    ...(hasHost ? {} : { host: key.host }),
    ...(hasService ? {} : { service: key.service }),
    ...(hasSeverity ? {} : { severity: key.severity }),
  };
}

function isDeclaredJson(message: InboundMessage): boolean {
  return /\bjson\b/i.test(message.contentType ?? '');
}

/** Declared JSON, or undeclared and starting like JSON (a text line such as "[INFO] up" falls back to plain text). */
function looksLikeJson(message: InboundMessage): boolean {
  if (isDeclaredJson(message)) return true;
  if (message.contentType && !/^application\/octet-stream/i.test(message.contentType)) return false;
  const first = message.body.toString('utf8', 0, 64).trimStart()[0];
  return first === '{' || first === '[';
}

function rejectAll(message: InboundMessage, reason: string): DecodedMessage {
  return { records: [], rejects: [{ reason, body: message.body, contentType: message.contentType }] };
}
