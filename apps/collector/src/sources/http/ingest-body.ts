import { decodeRecords, LogRecord, parseJsonBody, parseNdjson, ParseOptions } from '@logyard/contracts';
import { mediaTypeOf } from '../../request-body';
import { REFUSALS_KEPT, SourceOutput } from '../../source-runner';

/** The first REFUSALS_KEPT refusals, in index order, and the count of all. */
export type IngestOutcome = SourceOutput<{ index: number; error: string }>;

const NDJSON_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
];

/**
 * What POST /ingest accepts. Not text/plain, form or multipart: a web page may post those cross-origin without
 * a preflight, so accepting them would let any page a user opens write logs while tokens are off.
 */
export const INGEST_MEDIA_TYPES: readonly string[] = ['application/json', ...NDJSON_TYPES];

/**
 * Turns a POST /ingest body into records and per-record errors. One record,
 * an array, or NDJSON (by Content-Type); indexes in errors are positions in
 * the array, or among the non-blank lines of NDJSON.
 */
export function parseIngestBody(
  body: Buffer,
  contentType: string | undefined,
  options: ParseOptions,
): IngestOutcome {
  if (NDJSON_TYPES.includes(mediaTypeOf(contentType))) {
    const lines = parseNdjson(body);
    const decoded = decodeRecords(
      lines.items.map((item) => item.value),
      options,
    );
    return outcome(
      decoded.records,
      [
        ...lines.errors,
        ...decoded.errors.map((e) => ({ index: lines.items[e.index].index, error: e.error })),
      ].sort((a, b) => a.index - b.index),
    );
  }
  const items = parseJsonBody(body);
  if (!items.ok) return outcome([], [{ index: 0, error: items.error }]);
  const decoded = decodeRecords(items.value, options);
  return outcome(decoded.records, decoded.errors);
}

/**
 * Keeps the first REFUSALS_KEPT of `errors`, which are in index order, as `{index, error}`: a 10 MB body of
 * 2-byte items would otherwise hold 5 million of them for as long as its records wait for the broker.
 */
function outcome(records: LogRecord[], errors: readonly { index: number; error: string }[]): IngestOutcome {
  const kept = errors.slice(0, REFUSALS_KEPT).map(({ index, error }) => ({ index, error }));
  return { records, errors: kept, refused: errors.length };
}
