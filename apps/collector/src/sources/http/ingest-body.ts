import { forEachNdjsonLine, ok, parseJsonBody } from '@logyard/contracts';
import { mediaTypeOf } from '../../request-body';
import { SourceOutput } from '../../source-runner';
import { MappingOptions, NOTHING_SHARED, RequestMapper } from '../request-mapping';

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
 * the array, or among the non-blank lines of NDJSON. Items are paid for from
 * the request's output budget as the push formats' are (RequestMapper), so a
 * body of millions of tiny items, records or not, builds and parses no more
 * of them than a body of full-sized records would.
 */
export function parseIngestBody(
  body: Buffer,
  contentType: string | undefined,
  options: MappingOptions,
): IngestOutcome {
  const mapper = new RequestMapper<number>(options);
  if (NDJSON_TYPES.includes(mediaTypeOf(contentType))) {
    forEachNdjsonLine(body, (read, index) => mapper.add(NOTHING_SHARED, read, () => index));
  } else {
    const items = parseJsonBody(body);
    if (!items.ok) return { records: [], errors: [{ index: 0, error: items.error }], refused: 1 };
    items.value.forEach((item, index) =>
      mapper.add(
        NOTHING_SHARED,
        () => ok(item),
        () => index,
      ),
    );
  }
  const { records, errors, refused } = mapper.mapping;
  return { records, errors: errors.map(({ path, error }) => ({ index: path, error })), refused };
}
