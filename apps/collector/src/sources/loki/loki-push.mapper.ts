import {
  describeValue,
  err,
  isJsonObject,
  JsonObject,
  ok,
  parseSeverity,
  Result,
  Severity,
} from '@logyard/contracts';
import type { MappingOptions, RecordFields, RequestMapping, SharedAttributes } from '../request-mapping';
import { epochNanosTs, RequestMapper, sharedAttributes } from '../request-mapping';
import { LokiEntry, LokiPushRequest } from './loki-push';

/** What a stream's labels say about every entry of the stream. */
interface StreamFields {
  host?: string;
  service?: string;
  severity?: Severity;
  /** The labels not used for host, service or severity. */
  labels: SharedAttributes;
}

/** Parsed out of a line that is a JSON object with a message (pino, bunyan, winston). */
interface JsonLine {
  message: unknown;
  fields: JsonObject;
  severity?: Severity;
}

// The first label present, in this order, names the host, the service and the severity.
const HOST_LABELS = ['host', 'hostname', 'instance'];
const SERVICE_LABELS = ['service_name', 'service', 'app', 'job'];
const SEVERITY_LABELS = ['level', 'severity', 'detected_level'];
const MESSAGE_FIELDS = ['msg', 'message'];

/**
 * Turns a Loki push into records (DESIGN §6). Labels give host, service and severity, else a JSON line's
 * `level`, else info; the other labels, a JSON line's other fields and the structured metadata become
 * attributes (metadata winning over labels, labels over line fields). Loki's timestamp is the record's ts,
 * never a time field inside the line. Each entry is accepted or refused on its own.
 */
export function mapLokiPush(request: LokiPushRequest, options: MappingOptions = {}): RequestMapping {
  const mapper = new RequestMapper(options);
  request.streams.forEach((stream, s) => {
    const fields = streamFields(stream.labels);
    const labels = ok(fields.labels);
    stream.entries.forEach((entry, e) => {
      mapper.add(
        labels,
        () => recordFields(entry, fields),
        () => `streams[${s}].values[${e}]`,
      );
    });
  });
  return mapper.mapping;
}

function recordFields(entry: LokiEntry, stream: StreamFields): Result<RecordFields> {
  // Loki's JSON always quotes the nanoseconds: a bare number is a client's mistake, not a time.
  const ts = epochNanosTs('timestamp', entry.ts, { numbers: false });
  if (!ts.ok) return ts;
  if (typeof entry.line !== 'string') return err(`line: must be a string, got ${describeValue(entry.line)}`);
  const metadata = entry.metadata ?? {};
  if (!isJsonObject(metadata))
    return err(`structured metadata: must be an object, got ${describeValue(metadata)}`);
  const line = jsonLine(entry.line);
  return ok({
    ts: ts.value,
    host: stream.host,
    service: stream.service,
    severity: stream.severity ?? line?.severity,
    message: line ? line.message : entry.line,
    attributes: { ...line?.fields, ...stream.labels.attributes, ...metadata },
  });
}

function streamFields(labels: Record<string, string>): StreamFields {
  const rest: JsonObject = { ...labels };
  const host = takeFirst(rest, HOST_LABELS);
  const service = takeFirst(rest, SERVICE_LABELS);
  let severity: Severity | undefined;
  // A value that is no severity ("unknown" is Loki's own detected_level for those) stays a plain label.
  for (const key of SEVERITY_LABELS) {
    const parsed = key in rest ? parseSeverity(rest[key]) : undefined;
    if (!parsed?.ok) continue;
    severity ??= parsed.value;
    delete rest[key];
  }
  return { host, service, severity, labels: sharedAttributes(rest) };
}

/** A line holding a JSON object with `msg` or `message`; any other line is plain text. */
function jsonLine(line: string): JsonLine | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isJsonObject(value)) return undefined;
  const key = MESSAGE_FIELDS.find((field) => value[field] !== undefined && value[field] !== null);
  if (!key) return undefined;
  // Rest properties are own data properties, so a "__proto__" field stays an ordinary field.
  const { [key]: message, ...fields } = value;
  const severity = lineSeverity(fields.level);
  if (severity) delete fields.level;
  return { message, fields, severity };
}

/** pino and bunyan write numeric levels (30 is info); winston writes names. */
function lineSeverity(level: unknown): Severity | undefined {
  if (typeof level !== 'number' && typeof level !== 'string') return undefined;
  const severity = parseSeverity(level, typeof level === 'number' ? 'pino' : undefined);
  return severity.ok ? severity.value : undefined;
}

function takeFirst(labels: JsonObject, keys: string[]): string | undefined {
  const key = keys.find((candidate) => typeof labels[candidate] === 'string' && labels[candidate] !== '');
  if (key === undefined) return undefined;
  const value = labels[key] as string;
  delete labels[key];
  return value;
}
