import {
  describeValue,
  err,
  fromEpochNanos,
  LogRecord,
  nowIso,
  ok,
  ParseOptions,
  Result,
} from '@logyard/contracts';
import { SourceOutput } from '../source-runner';

/** A push request's records, and each refused item with its place in the request, e.g. `streams[0].values[3]`. */
export type RequestMapping = SourceOutput<{ path: string; error: string }>;

/** The options every item of one request is parsed with: one observation time, taken once for the request. */
export function requestParseOptions(options: ParseOptions): ParseOptions {
  return { ...options, observedTs: options.observedTs ?? nowIso() };
}

/** Adds one item's outcome, so one bad item costs only itself; `path` is only worked out for a refused one. */
export function addOutcome(mapping: RequestMapping, record: Result<LogRecord>, path: () => string): void {
  if (record.ok) mapping.records.push(record.value);
  else mapping.errors.push({ path: path(), error: record.error });
}

/**
 * A time given as nanoseconds since the Unix epoch: a string of digits, as Loki's JSON and OTLP give it,
 * or, where `numbers` allows (OTLP/JSON), a positive integer. `field` names it in the error.
 */
export function epochNanosTs(
  field: string,
  value: unknown,
  { numbers }: { numbers: boolean },
): Result<string> {
  const nanos =
    typeof value === 'string' && /^\d+$/.test(value)
      ? value
      : numbers && typeof value === 'number' && Number.isInteger(value) && value > 0
        ? BigInt(value)
        : undefined;
  if (nanos === undefined) {
    const expected = numbers ? 'a count' : 'a string';
    return err(`${field}: ${describeValue(value)} is not ${expected} of nanoseconds since the Unix epoch`);
  }
  const ts = fromEpochNanos(nanos);
  return ts === undefined ? err(`${field}: ${describeValue(value)} is after the year 9999`) : ok(ts);
}
