import {
  describeValue,
  isJsonObject,
  JsonObject,
  DEFAULT_ATTRIBUTE_LIMITS,
  err,
  ok,
  parseSeverity,
  Result,
  Severity,
  SEVERITY_NUMBER,
  unrecognisedSeverity,
} from '@logyard/contracts';
import type { MappingOptions, RecordFields, RequestMapping, SharedAttributes } from '../request-mapping';
import { epochNanosTs, RequestMapper, sharedAttributes } from '../request-mapping';
import { OtlpLogRecord, OtlpLogsRequest, OtlpScopeLogs } from './otlp-codec';

const HOST_ATTRIBUTE = 'host.name';
const SERVICE_ATTRIBUTE = 'service.name';
// protobuf's JSON mapping may name an enum value instead of numbering it: SEVERITY_NUMBER_WARN3 is WARN + 2.
const SEVERITY_NUMBER_NAME = /^SEVERITY_NUMBER_(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)([234]?)$/;

/** A log record the sender got wrong; thrown inside this module only, and reported as that record's error. */
class InvalidLogRecord extends Error {}

/**
 * Turns an OTLP export request into records (DESIGN §6). Attributes of the resource, the scope and the log
 * record merge into one flat object (the record's win); `host.name` and `service.name` among them become
 * host and service. Each log record is accepted or refused on its own.
 */
export function mapOtlpLogs(request: OtlpLogsRequest, options: MappingOptions = {}): RequestMapping {
  const mapper = new RequestMapper(options, { severityScale: 'otel' });
  const top: Depth = {
    level: 0,
    max: options.maxAttributeDepth ?? DEFAULT_ATTRIBUTE_LIMITS.maxAttributeDepth,
  };
  request.resourceLogs.forEach(({ resource, scopeLogs }, r) => {
    // Once for the resource, however many scopes repeat it: a fault in it refuses each of its records.
    const fromResource = attempt(() => ok(keyValues(resource?.attributes, 'resource.attributes', top)));
    scopeLogs.forEach((scopeLogs, s) => {
      if (scopeLogs.logRecords.length === 0) return;
      // Once for the scope, and paid for: its records share the object's values.
      const inherited = mapper.share(() =>
        fromResource.ok
          ? attempt(() => ok(inheritedAttributes(fromResource.value, scopeLogs, top)))
          : fromResource,
      );
      scopeLogs.logRecords.forEach((logRecord, i) => {
        mapper.add(
          inherited,
          (shared) => recordFields(logRecord, shared, top),
          () => `resourceLogs[${r}].scopeLogs[${s}].logRecords[${i}]`,
        );
      });
    });
  });
  return mapper.mapping;
}

function recordFields(
  logRecord: OtlpLogRecord,
  inherited: SharedAttributes,
  top: Depth,
): Result<RecordFields> {
  return attempt(() => {
    const attributes = { ...inherited.attributes, ...keyValues(logRecord.attributes, 'attributes', top) };
    if (isNonEmptyString(logRecord.eventName)) attributes['event.name'] = logRecord.eventName;
    return ok({
      ts: timestampOf(logRecord),
      host: takeString(attributes, HOST_ATTRIBUTE),
      service: takeString(attributes, SERVICE_ATTRIBUTE),
      severity: severityOf(logRecord),
      message: messageOf(logRecord.body, top),
      attributes,
      traceId: logRecord.traceId,
      spanId: logRecord.spanId,
    });
  });
}

/** What `build` gives, or the InvalidLogRecord it threw as an error. */
function attempt<T>(build: () => Result<T>): Result<T> {
  try {
    return build();
  } catch (error) {
    if (error instanceof InvalidLogRecord) return err(error.message);
    throw error;
  }
}

function inheritedAttributes(
  fromResource: JsonObject,
  { scope }: OtlpScopeLogs,
  top: Depth,
): SharedAttributes {
  return sharedAttributes({
    ...fromResource,
    ...(isNonEmptyString(scope?.name) ? { 'otel.scope.name': scope.name } : {}),
    ...(isNonEmptyString(scope?.version) ? { 'otel.scope.version': scope.version } : {}),
    ...keyValues(scope?.attributes, 'scope.attributes', top),
  });
}

/** timeUnixNano, or observedTimeUnixNano when that is 0 (unknown); neither leaves the record its observed time. */
function timestampOf(logRecord: OtlpLogRecord): string | undefined {
  for (const field of ['timeUnixNano', 'observedTimeUnixNano']) {
    const value = logRecord[field];
    if (value === undefined || value === null || value === 0 || value === '0' || value === '') continue;
    const ts = epochNanosTs(field, value, { numbers: true });
    if (!ts.ok) throw new InvalidLogRecord(ts.error);
    return ts.value;
  }
  return undefined;
}

/** severityNumber, or severityText when the number is 0 (unspecified); neither means info. */
function severityOf({ severityNumber, severityText }: OtlpLogRecord): Severity | undefined {
  const number = specifiedSeverityNumber(severityNumber);
  if (number !== undefined) {
    const severity = parseSeverity(number, 'otel');
    if (severity.ok) return severity.value;
    throw new InvalidLogRecord(`severityNumber: ${unrecognisedSeverity(severityNumber, 'otel')}`);
  }
  if (severityText === undefined || severityText === null || severityText === '') return undefined;
  const severity = parseSeverity(severityText, 'otel');
  if (severity.ok) return severity.value;
  throw new InvalidLogRecord(`severityText: ${unrecognisedSeverity(severityText, 'otel')}`);
}

/** The SeverityNumber as given (protobuf's JSON mapping may name it), or undefined when unspecified. */
function specifiedSeverityNumber(value: unknown): unknown {
  if (value === undefined || value === null || value === 0 || value === 'SEVERITY_NUMBER_UNSPECIFIED')
    return undefined;
  const named = typeof value === 'string' ? SEVERITY_NUMBER_NAME.exec(value) : null;
  return named ? SEVERITY_NUMBER[named[1].toLowerCase() as Severity] + Number(named[2] || 1) - 1 : value;
}

/** A string body is the message; any other AnyValue (bytes too) is written as JSON; no body is an empty message. */
function messageOf(body: unknown, top: Depth): string {
  if (body === undefined || body === null) return '';
  const value = anyValue(body, 'body', top);
  if (value === null) return '';
  return isJsonObject(body) && body.stringValue != null ? (value as string) : JSON.stringify(value);
}

/**
 * Levels of arrays and kvlists, bounded by the record's attribute depth so
 * the recursion below stays far from the stack's limit on any input.
 */
interface Depth {
  level: number;
  max: number;
}

function deeper({ level, max }: Depth, at: string): Depth {
  if (level >= max) throw new InvalidLogRecord(`${at}: nested deeper than ${max} levels`);
  return { level: level + 1, max };
}

/** A list of KeyValue as one JSON object; a repeated key keeps its last value. */
function keyValues(list: unknown, at: string, depth: Depth): JsonObject {
  const inner = deeper(depth, at);
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw new InvalidLogRecord(`${at}: must be an array of KeyValue objects`);
  // Object.fromEntries defines own properties, so a key named "__proto__" stays an ordinary key.
  return Object.fromEntries(
    list.map((item: unknown, i) => {
      if (!isJsonObject(item) || typeof item.key !== 'string') {
        throw new InvalidLogRecord(`${at}[${i}]: must be a KeyValue object with a string "key"`);
      }
      return [
        item.key,
        item.value === undefined || item.value === null
          ? null
          : anyValue(item.value, `${at}[${i}].value`, inner),
      ];
    }),
  );
}

/**
 * An AnyValue as plain JSON: strings, booleans, numbers, arrays and objects as themselves; 64-bit integers
 * beyond 2^53 and non-finite doubles as strings so nothing is rounded; bytes as base64; an empty AnyValue as null.
 */
function anyValue(value: unknown, at: string, depth: Depth): unknown {
  if (!isJsonObject(value)) throw new InvalidLogRecord(`${at}: must be an AnyValue object`);
  if (value.stringValue != null) return typed(value.stringValue, 'string', `${at}.stringValue`);
  if (value.boolValue != null) return typed(value.boolValue, 'boolean', `${at}.boolValue`);
  if (value.intValue != null) return int64(value.intValue, `${at}.intValue`);
  if (value.doubleValue != null) return double(value.doubleValue, `${at}.doubleValue`);
  if (value.bytesValue != null) return typed(value.bytesValue, 'string', `${at}.bytesValue`);
  if (value.arrayValue != null) {
    const inner = deeper(depth, at);
    const values = listOf(value.arrayValue, `${at}.arrayValue`);
    return values.map((item, i) => anyValue(item, `${at}.arrayValue.values[${i}]`, inner));
  }
  if (value.kvlistValue != null) {
    return keyValues(listOf(value.kvlistValue, `${at}.kvlistValue`), `${at}.kvlistValue.values`, depth);
  }
  return null;
}

function listOf(holder: unknown, at: string): unknown[] {
  if (!isJsonObject(holder)) throw new InvalidLogRecord(`${at}: must be an object with "values"`);
  if (holder.values === undefined || holder.values === null) return [];
  if (!Array.isArray(holder.values)) throw new InvalidLogRecord(`${at}.values: must be an array`);
  return holder.values;
}

function int64(value: unknown, at: string): number | string {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^-?\d+$/.test(text)) {
    throw new InvalidLogRecord(`${at}: ${describeValue(value)} is not a 64-bit integer`);
  }
  return Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

function double(value: unknown, at: string): number | string {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  throw new InvalidLogRecord(`${at}: ${describeValue(value)} is not a number`);
}

function typed(value: unknown, type: 'string' | 'boolean', at: string): unknown {
  if (typeof value !== type)
    throw new InvalidLogRecord(`${at}: must be a ${type}, got ${describeValue(value)}`);
  return value;
}

/** Removes and returns a non-empty string attribute; anything else under the key stays an attribute. */
function takeString(attributes: JsonObject, key: string): string | undefined {
  const value = attributes[key];
  if (!isNonEmptyString(value)) return undefined;
  delete attributes[key];
  return value;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
