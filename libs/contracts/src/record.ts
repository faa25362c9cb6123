import { v7 as uuidv7, validate } from 'uuid';

import { AttributeLimits, DEFAULT_ATTRIBUTE_LIMITS, exceededAttributeLimit } from './attribute-limits';
import { describeValue } from './describe-value';
import { err, ok, Result } from './result';
import { parseSeverity, Severity, SEVERITIES, SeverityScale, unrecognisedSeverity } from './severity';
import { invalidTimestamp, isCanonicalTimestamp, nowIso, parseTimestamp } from './timestamp';

/** The `v` every wire record carries. A reader refuses versions it does not know rather than guess. */
export const WIRE_VERSION = 1;
export const DEFAULT_MAX_MESSAGE_BYTES = 65536;
/**
 * The longest `host` or `service`, in UTF-16 code units: a DNS name's 253 and then some. Both are keys of the
 * archive's indexes and rollups, which PostgreSQL refuses past about 2.7 KB, and of every facet and alert.
 */
export const MAX_NAME_LENGTH = 255;
/** Attribute holding a truncated message's original UTF-8 length in bytes. */
export const TRUNCATED_BYTES_ATTRIBUTE = 'logyard.truncated_bytes';

/** The one record type that crosses between apps (DESIGN §2). Build it with parseLogRecord, never a cast. */
export interface LogRecord {
  id: string;
  ts: string;
  observedTs: string;
  host: string;
  service: string;
  severity: Severity;
  message: string;
  attributes: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
}

export type WireRecord = LogRecord & { v: 1 };

export interface ParseOptions extends Partial<AttributeLimits> {
  /** When Logyard first saw the record; defaults to now. Also the `ts` of a record that has none. */
  observedTs?: string;
  maxMessageBytes?: number;
  /** How to read a numeric severity; see parseSeverity. */
  severityScale?: SeverityScale;
}

const KNOWN_FIELDS = [
  'v',
  'id',
  'ts',
  'observedTs',
  'host',
  'service',
  'severity',
  'message',
  'attributes',
  'traceId',
  'spanId',
];
const KNOWN_FIELD_SET = new Set(KNOWN_FIELDS);
type Given = [key: string, value: unknown];

const TRACE_ID = /^[0-9a-f]{32}$/i;
const SPAN_ID = /^[0-9a-f]{16}$/i;
const UTF8_CONTINUATION_MASK = 0b1100_0000;
const UTF8_CONTINUATION = 0b1000_0000;

/**
 * Turns untrusted input into a LogRecord: lenient where a default is obvious (severity info, host and
 * service 'unknown', id a new UUIDv7, ts the UUIDv7 id's time or else the observed time), strict where guessing would corrupt data (no
 * message, an unparseable ts, a malformed id). Errors name the field as the sender spelled it.
 *
 * Idempotent: parseLogRecord(toWire(record)) gives back the record, so every hop may re-parse what it
 * receives without changing ids, timestamps or attributes.
 */
export function parseLogRecord(input: unknown, options: ParseOptions = {}): Result<LogRecord> {
  if (!isPlainObject(input)) return err('record must be a JSON object');
  if (input.v === WIRE_VERSION) {
    const canonical = asCanonicalWireRecord(input, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    if (canonical) return withinAttributeLimits(canonical, options);
  }
  const consumedAliases: string[] = [];
  // The first of a field and its aliases that has a value; JSON writers often send null for "no value".
  const pick = (field: string, ...aliases: string[]): Given | undefined => {
    if (input[field] !== undefined && input[field] !== null) return [field, input[field]];
    for (const key of aliases) {
      if (input[key] !== undefined && input[key] !== null) {
        consumedAliases.push(key);
        return [key, input[key]];
      }
    }
    return undefined;
  };

  if (input.v !== undefined && input.v !== WIRE_VERSION) {
    return err(
      `v: unsupported wire version ${describeValue(input.v)}; this reader knows version ${WIRE_VERSION}`,
    );
  }
  const message = pick('message', 'msg');
  if (!message) return err('message is required');
  const text = parseMessage(message);
  if (!text.ok) return text;
  const id = parseId(pick('id'));
  if (!id.ok) return id;
  // Kept when valid, so a record re-parsed downstream still says when Logyard first saw it.
  const observedTs =
    validTimestamp(pick('observedTs')?.[1]) ?? validTimestamp(options.observedTs) ?? nowIso();
  const ts = parseTs(pick('ts', 'timestamp', 'time'), () => (id.value && uuidv7Time(id.value)) ?? observedTs);
  if (!ts.ok) return ts;
  const severity = parseSeverityField(pick('severity', 'level'), options.severityScale);
  if (!severity.ok) return severity;
  const host = parseName(pick('host', 'hostname'));
  if (!host.ok) return host;
  const service = parseName(pick('service'));
  if (!service.ok) return service;
  const traceId = parseHexId(pick('traceId'), TRACE_ID, 32);
  if (!traceId.ok) return traceId;
  const spanId = parseHexId(pick('spanId'), SPAN_ID, 16);
  if (!spanId.ok) return spanId;
  const attributes = parseAttributes(pick('attributes'));
  if (!attributes.ok) return attributes;
  for (const key in input) {
    if (KNOWN_FIELD_SET.has(key) || consumedAliases.includes(key) || !Object.hasOwn(input, key)) continue;
    if (!Object.hasOwn(attributes.value, key)) setOwn(attributes.value, key, input[key]);
  }
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;

  return withinAttributeLimits(
    withIds(
      {
        id: id.value ?? uuidv7(),
        ts: ts.value,
        observedTs,
        host: host.value,
        service: service.value,
        severity: severity.value,
        message: truncateMessage(text.value, maxBytes, attributes.value),
        attributes: attributes.value,
      },
      traceId.value,
      spanId.value,
    ),
    options,
  );
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CANONICAL_SEVERITIES: ReadonlySet<unknown> = new Set(SEVERITIES);

/**
 * The record as is, when it already is exactly what the full parse would
 * return — the case of every record a Logyard hop re-reads from the bus.
 * Anything unusual (an alias, a null, an upper-case id, an unknown field, a
 * message to truncate) returns undefined and takes the full path, so both
 * paths always agree.
 */
function asCanonicalWireRecord(input: Record<string, unknown>, maxBytes: number): LogRecord | undefined {
  for (const key in input) if (!KNOWN_FIELD_SET.has(key)) return undefined;
  const { id, ts, observedTs, host, service, severity, message, attributes, traceId, spanId } = input;
  const canonical =
    typeof id === 'string' &&
    CANONICAL_UUID.test(id) &&
    typeof ts === 'string' &&
    isCanonicalTimestamp(ts) &&
    typeof observedTs === 'string' &&
    isCanonicalTimestamp(observedTs) &&
    typeof host === 'string' &&
    host !== '' &&
    host.length <= MAX_NAME_LENGTH &&
    typeof service === 'string' &&
    service !== '' &&
    service.length <= MAX_NAME_LENGTH &&
    CANONICAL_SEVERITIES.has(severity) &&
    typeof message === 'string' &&
    (message.length * 3 <= maxBytes || Buffer.byteLength(message, 'utf8') <= maxBytes) &&
    isPlainObject(attributes) &&
    (traceId === undefined ||
      (typeof traceId === 'string' && CANONICAL_TRACE_ID.test(traceId) && !/^0+$/.test(traceId))) &&
    (spanId === undefined ||
      (typeof spanId === 'string' && CANONICAL_SPAN_ID.test(spanId) && !/^0+$/.test(spanId)));
  if (!canonical) return undefined;
  return withIds(
    { id, ts, observedTs, host, service, severity: severity as Severity, message, attributes },
    traceId,
    spanId,
  );
}

const CANONICAL_TRACE_ID = /^[0-9a-f]{32}$/;
const CANONICAL_SPAN_ID = /^[0-9a-f]{16}$/;

/** The record, or the error naming the attribute limit it breaks (both paths of parseLogRecord end here). */
function withinAttributeLimits(record: LogRecord, options: ParseOptions): Result<LogRecord> {
  const exceeded = exceededAttributeLimit(record.attributes, {
    maxAttributeDepth: options.maxAttributeDepth ?? DEFAULT_ATTRIBUTE_LIMITS.maxAttributeDepth,
    maxAttributesBytes: options.maxAttributesBytes ?? DEFAULT_ATTRIBUTE_LIMITS.maxAttributesBytes,
  });
  return exceeded === undefined ? ok(record) : err(exceeded);
}

/** The wire form of a record: `v` first, optional fields left out rather than sent as null. */
export function toWire(record: LogRecord): WireRecord {
  return withIds(
    {
      v: WIRE_VERSION,
      id: record.id,
      ts: record.ts,
      observedTs: record.observedTs,
      host: record.host,
      service: record.service,
      severity: record.severity,
      message: record.message,
      attributes: record.attributes,
    },
    record.traceId,
    record.spanId,
  );
}

/**
 * Adds the optional ids only when present, so a record never carries `traceId: undefined`. Assigned
 * rather than spread in: a conditional spread per record cost more than building the rest of it.
 */
function withIds<T extends LogRecord>(record: T, traceId: string | undefined, spanId: string | undefined): T {
  if (traceId !== undefined) record.traceId = traceId;
  if (spanId !== undefined) record.spanId = spanId;
  return record;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function validTimestamp(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseTimestamp(value);
  return parsed.ok ? parsed.value : undefined;
}

// Present but unparseable is an error: silently using "now" would misfile the record in time.
/**
 * The creation time a UUIDv7 carries in its first 48 bits. A record with such
 * an id but no ts takes its ts from there rather than from "now": the
 * storage key is (ts, id), so a sender retrying the same record must produce
 * the same ts, or the retry would be stored twice.
 */
function uuidv7Time(id: string): string | undefined {
  if (id[14] !== '7') return undefined;
  const time = parseTimestamp(parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
  return time.ok ? time.value : undefined;
}

function parseTs(given: Given | undefined, fallback: () => string): Result<string> {
  if (!given) return ok(fallback());
  const [key, value] = given;
  const parsed = parseTimestamp(value);
  return parsed.ok ? parsed : err(`${key}: ${invalidTimestamp(value)}`);
}

function parseSeverityField(given: Given | undefined, scale: SeverityScale | undefined): Result<Severity> {
  if (!given) return ok('info');
  const [key, value] = given;
  const parsed = parseSeverity(value, scale);
  return parsed.ok ? parsed : err(`${key}: ${unrecognisedSeverity(value, scale)}`);
}

function parseAttributes(given: Given | undefined): Result<Record<string, unknown>> {
  if (!given) return ok({});
  const [key, value] = given;
  if (!isPlainObject(value)) return err(`${key}: must be a JSON object, got ${describeValue(value)}`);
  return ok({ ...value });
}

function parseName(given: Given | undefined): Result<string> {
  if (!given) return ok('unknown');
  const [key, value] = given;
  if (typeof value !== 'string') return err(`${key}: must be a string, got ${describeValue(value)}`);
  if (value.length > MAX_NAME_LENGTH) return err(`${key}: longer than ${MAX_NAME_LENGTH} characters`);
  return ok(value === '' ? 'unknown' : value);
}

// The nil UUID is treated as absent: as an idempotency key it would make unrelated records collide.
function parseId(given: Given | undefined): Result<string | undefined> {
  if (!given) return ok(undefined);
  const [, value] = given;
  if (typeof value !== 'string' || !validate(value)) return err('id must be a UUID');
  return ok(/^[0-]+$/.test(value) ? undefined : value.toLowerCase());
}

// An empty or all-zero id is how OpenTelemetry writes "no trace".
function parseHexId(given: Given | undefined, shape: RegExp, length: number): Result<string | undefined> {
  if (!given) return ok(undefined);
  const [key, value] = given;
  if (value === '') return ok(undefined);
  if (typeof value !== 'string' || !shape.test(value)) {
    return err(`${key}: must be ${length} hexadecimal characters, got ${describeValue(value)}`);
  }
  return ok(/^0+$/.test(value) ? undefined : value.toLowerCase());
}

function parseMessage([key, value]: Given): Result<string> {
  if (typeof value === 'string') return ok(value);
  if (typeof value !== 'object') return ok(String(value));
  try {
    return ok(JSON.stringify(value));
  } catch (error) {
    return err(
      `${key}: cannot be serialised as JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * Cuts the message to at most `maxBytes` of UTF-8 without splitting a character, recording the original
 * length. A record re-parsed with a smaller limit keeps the first, larger original length.
 */
function truncateMessage(message: string, maxBytes: number, attributes: Record<string, unknown>): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most messages need no byte count at all.
  if (message.length * 3 <= maxBytes || Buffer.byteLength(message, 'utf8') <= maxBytes) return message;
  const bytes = Buffer.from(message, 'utf8');
  let end = Math.max(0, Math.floor(maxBytes));
  while (end > 0 && (bytes[end] & UTF8_CONTINUATION_MASK) === UTF8_CONTINUATION) end--;
  const previous = attributes[TRUNCATED_BYTES_ATTRIBUTE];
  setOwn(
    attributes,
    TRUNCATED_BYTES_ATTRIBUTE,
    typeof previous === 'number' && previous > bytes.length ? previous : bytes.length,
  );
  return bytes.subarray(0, end).toString('utf8');
}

// Plain assignment of a key named "__proto__" would replace the prototype instead of storing the field.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
