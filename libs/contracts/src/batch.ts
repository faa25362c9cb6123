import { LogRecord, parseLogRecord, ParseOptions, toWire } from './record';
import { errorMessage, isJsonObject, parseJson, utf8Text } from './json';
import { err, ok, Result } from './result';
import { nowIso } from './timestamp';

export interface DecodedBatch {
  records: LogRecord[];
  errors: { index: number; error: string; raw: unknown }[];
}

/**
 * Parses each item on its own, so one bad record costs only itself. Items without their own observedTs share
 * one observation time, taken once for the batch.
 */
export function decodeRecords(items: unknown[], options: ParseOptions = {}): DecodedBatch {
  const shared: ParseOptions = { ...options, observedTs: options.observedTs ?? nowIso() };
  const batch: DecodedBatch = { records: [], errors: [] };
  items.forEach((raw, index) => {
    const record = parseLogRecord(raw, shared);
    if (record.ok) batch.records.push(record.value);
    else batch.errors.push({ index, error: record.error, raw });
  });
  return batch;
}

/**
 * One AMQP message body: a JSON array of wire records. Records from
 * parseLogRecord always encode, since its attribute limits bound their depth;
 * a hop that must not trust that uses tryEncodeBatch.
 */
export function encodeBatch(records: LogRecord[]): Buffer {
  return Buffer.from(JSON.stringify(records.map(toWire)), 'utf8');
}

/** encodeBatch as a result (see tryEncoding). */
export function tryEncodeBatch(records: LogRecord[]): Result<Buffer> {
  return tryEncoding(() => encodeBatch(records));
}

/**
 * What `encode` makes of records, as a result: JSON.stringify throws on a value it cannot write (nesting too
 * deep for the stack, a BigInt, a cycle), and for a consumer that is the data's fault — a refused record,
 * never an outage.
 */
export function tryEncoding<T>(encode: () => T): Result<T> {
  try {
    return ok(encode());
  } catch (error) {
    return err(`records cannot be serialised as JSON: ${errorMessage(error)}`);
  }
}

/** A JSON body holding one record object or an array of them, as items still to be parsed. */
export function parseJsonBody(body: Buffer | string): Result<unknown[]> {
  const value = parseJson(body);
  if (!value.ok) return value;
  if (Array.isArray(value.value)) return ok(value.value);
  if (isJsonObject(value.value)) return ok([value.value]);
  return err('body must be a JSON object or an array of objects');
}

/** A blank NDJSON line: white space only, up to its line end or the body's end. */
const BLANK_LINE = /[^\S\n]*(?:\n|$)/y;

/**
 * Newline-delimited JSON: one value per non-blank line. `each` gets every non-blank line as a `read` that
 * parses it (a line that is not JSON is an error of its own) and its index among the non-blank lines, so
 * indexes line up with the item indexes reported for records. A line is only sliced and parsed when read: a
 * caller that has refused the rest of a body counts its lines for the price of finding their ends.
 */
export function forEachNdjsonLine(
  body: Buffer | string,
  each: (read: () => Result<unknown>, index: number) => void,
): void {
  const text = utf8Text(body);
  let index = 0;
  let at = 0;
  while (at < text.length) {
    BLANK_LINE.lastIndex = at;
    if (BLANK_LINE.test(text)) {
      at = BLANK_LINE.lastIndex;
      continue;
    }
    const lineEnd = text.indexOf('\n', at);
    const end = lineEnd === -1 ? text.length : lineEnd;
    const start = at;
    each(() => parseLine(text.slice(start, end)), index++);
    at = end + 1;
  }
}

function parseLine(line: string): Result<unknown> {
  try {
    return ok(JSON.parse(line));
  } catch (error) {
    return err(`line is not valid JSON: ${errorMessage(error)}`);
  }
}
