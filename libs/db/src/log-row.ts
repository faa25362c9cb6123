import { LogRecord, severityFromNumber, SEVERITY_NUMBER } from '@logyard/contracts';
import { jsonbText } from './jsonb-text';

/**
 * A row of `logs` as the repository reads it. Kept apart from LogRecord so a
 * column change does not change the wire format. Timestamps are selected as
 * text (see TS_TEXT) because pg's Date would drop the microseconds.
 */
export interface LogRow {
  id: string;
  ts: string;
  observed_ts: string;
  host: string;
  service: string;
  severity: number;
  message: string;
  attributes: Record<string, unknown>;
  trace_id: string | null;
  span_id: string | null;
}

/** Renders a timestamptz column in the wire format (UTC, microseconds). */
export const tsText = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The columns of `logs`, in the order every read, COPY and insert of the repository uses. */
export const LOG_COLUMNS = [
  'id',
  'ts',
  'observed_ts',
  'host',
  'service',
  'severity',
  'message',
  'attributes',
  'trace_id',
  'span_id',
] as const;

export const LOG_ROW_COLUMNS = LOG_COLUMNS.map((column) =>
  column === 'ts' || column === 'observed_ts' ? `${tsText(column)} AS ${column}` : column,
).join(', ');

export function toLogRecord(row: LogRow): LogRecord {
  return {
    id: row.id,
    ts: row.ts,
    observedTs: row.observed_ts,
    host: row.host,
    service: row.service,
    severity: severityFromNumber(row.severity),
    message: row.message,
    attributes: row.attributes,
    ...(row.trace_id ? { traceId: row.trace_id } : {}),
    ...(row.span_id ? { spanId: row.span_id } : {}),
  };
}

/**
 * A batch as the body of `COPY logs (LOG_COLUMNS) FROM STDIN` in PostgreSQL's
 * text format: one line per record, tab-separated, `\N` for null. COPY is
 * the archiver's write path because it costs PostgreSQL ~40 % less per row
 * than an INSERT of the same rows (BENCHMARKS.md). PostgreSQL text and jsonb
 * cannot hold NUL, which a valid JSON log line may contain: it is replaced by
 * U+FFFD here, at the storage boundary, rather than making the row poison.
 */
export function toCopyText(records: readonly LogRecord[]): string {
  let text = '';
  for (const record of records) {
    text +=
      `${record.id}\t${record.ts}\t${record.observedTs}\t${copyField(record.host)}\t` +
      `${copyField(record.service)}\t${SEVERITY_NUMBER[record.severity]}\t${copyField(record.message)}\t` +
      `${copyField(jsonbText(record.attributes))}\t${record.traceId ?? '\\N'}\t${record.spanId ?? '\\N'}\n`;
  }
  return text;
}

/**
 * Column arrays for one bulk insert (`unnest`, one bind parameter per column,
 * so a batch of any size uses ten parameters): the path for a batch that
 * holds records already stored, where COPY cannot skip the conflicts.
 */
export function toColumnArrays(records: readonly LogRecord[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 10 }, () => new Array(records.length));
  records.forEach((record, i) => {
    columns[0][i] = record.id;
    columns[1][i] = record.ts;
    columns[2][i] = record.observedTs;
    columns[3][i] = withoutNul(record.host);
    columns[4][i] = withoutNul(record.service);
    columns[5][i] = SEVERITY_NUMBER[record.severity];
    columns[6][i] = withoutNul(record.message);
    columns[7][i] = jsonbText(record.attributes);
    columns[8][i] = record.traceId ?? null;
    columns[9][i] = record.spanId ?? null;
  });
  return columns;
}

// Backslash starts an escape in COPY's text format; tab, newline and carriage return delimit.
// eslint-disable-next-line no-control-regex -- NUL is one of the characters sought
const COPY_SPECIAL = /[\\\t\n\r\u0000]/;
// eslint-disable-next-line no-control-regex -- as above
const COPY_SPECIALS = /[\\\t\n\r\u0000]/g;
const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\u0000': '\ufffd',
};

function copyField(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]) : value;
}

function withoutNul(value: string): string {
  return value.replaceAll('\u0000', '\ufffd');
}
