import { LogyardConfig, recordLimits } from '@logyard/config';
import {
  describeValue,
  err,
  fromEpochNanos,
  LogRecord,
  nowIso,
  ok,
  parseLogRecord,
  ParseOptions,
  Result,
} from '@logyard/contracts';
import { REFUSALS_KEPT, SourceOutput } from '../source-runner';

/**
 * A request's records, and each refused item with its place in the request: a path such as
 * `streams[0].values[3]` in a push format, an index in POST /ingest's array or lines.
 */
export type RequestMapping<Path = string> = SourceOutput<{ path: Path; error: string }>;

/** What a format says of one record, each field still to be checked by parseLogRecord. */
export type RecordFields = { [field in keyof LogRecord]?: unknown };

/** How a push request is mapped: as each record is parsed, and how much its records may come to downstream. */
export interface MappingOptions extends ParseOptions {
  /** Bytes the request's records may come to downstream (see {@link OutputBudget}). */
  maxOutputBytes?: number;
}

/** How many times BODY_LIMIT a request's records may come to downstream. */
export const OUTPUT_BYTES_PER_BODY_LIMIT = 4;

/**
 * What a record costs downstream whatever it says: its id, its two times and its field names come to about
 * 150 bytes of JSON, while OTLP's protobuf states an empty log record in 2 bytes of the body.
 */
export const RECORD_STAMP_BYTES = 150;

/** How the collector maps every push request: now as its observation time, the configured limits. */
export function mappingOptions(config: LogyardConfig): MappingOptions {
  return {
    observedTs: nowIso(),
    ...recordLimits(config),
    maxOutputBytes: OUTPUT_BYTES_PER_BODY_LIMIT * config.http.bodyLimitBytes,
  };
}

/** Attributes a request states once for many records: a Loki stream's labels, an OTLP resource's and scope's. */
export interface SharedAttributes {
  attributes: Record<string, unknown>;
  /** Their size as JSON, which each record that copies them pays again downstream. */
  bytes: number;
}

export function sharedAttributes(attributes: Record<string, unknown>): SharedAttributes {
  return { attributes, bytes: Buffer.byteLength(JSON.stringify(attributes)) };
}

/** What items that state every field themselves share: nothing (POST /ingest's records). */
export const NOTHING_SHARED: Result<SharedAttributes> = ok({ attributes: {}, bytes: 0 });

/**
 * What a request's records may still come to downstream. The push formats state much once for many records
 * and so multiply: a 10 MB body of 3-byte records under 60 KB of shared labels would become 200 GB of
 * records, and one of 2-byte empty OTLP log records 5 million records and gigabytes of heap. Each record pays
 * RECORD_STAMP_BYTES and its copy of the shared attributes; past the budget (MappingOptions.maxOutputBytes)
 * every further record is refused without being built.
 */
class OutputBudget {
  /** The refusal of every record past the budget. */
  readonly refusal: Result<never>;
  private left: number;

  constructor(limitBytes = Infinity) {
    this.left = limitBytes;
    this.refusal = err(
      `the request's records, each with its id, times and shared attributes, come to over ${limitBytes} bytes; send fewer records per request`,
    );
  }

  /** True once no record can be paid for: work that would only serve later records is not worth doing. */
  get spent(): boolean {
    return this.left < RECORD_STAMP_BYTES;
  }

  /** Takes one record's cost, copying `shared`; the record's refusal once the request is over its budget. */
  spend(shared: SharedAttributes): Result<never> | undefined {
    const bytes = RECORD_STAMP_BYTES + shared.bytes;
    if (bytes > this.left) {
      this.left = 0;
      return this.refusal;
    }
    this.left -= bytes;
    return undefined;
  }
}

/**
 * Maps one request item by item, so that one bad item costs only itself. Every item is parsed with the
 * same options, observed at one time taken once for the request, and paid for from the request's one
 * OutputBudget, whether it becomes a record or not: reading an item that is refused (a line that is not
 * JSON throws inside JSON.parse) costs as much as one that is kept. Only the first REFUSALS_KEPT refusals
 * are kept in full.
 */
export class RequestMapper<Path = string> {
  readonly mapping: RequestMapping<Path> = { records: [], errors: [], refused: 0 };
  private readonly parseOptions: ParseOptions;
  private readonly budget: OutputBudget;

  /** `format` holds what the request's format fixes for every item, e.g. OTLP's severity scale. */
  constructor(options: MappingOptions, format: ParseOptions = {}) {
    this.parseOptions = { ...options, observedTs: options.observedTs ?? nowIso(), ...format };
    this.budget = new OutputBudget(options.maxOutputBytes);
  }

  /**
   * Attributes that items still to come will share, worked out by `build` only while the budget can pay for
   * a record: building them costs as much as a copy, so it is refused as their copies would be.
   */
  share(build: () => Result<SharedAttributes>): Result<SharedAttributes> {
    return this.budget.spent ? this.budget.refusal : build();
  }

  /**
   * Adds the record parsed from what `read` takes out of an item that copies `shared` (RecordFields, or a
   * record as its sender wrote it); an item whose shared attributes were refused, or that is past the
   * budget, is refused without being read. `path` is only worked out for a refusal that is kept.
   */
  add(
    shared: Result<SharedAttributes>,
    read: (shared: SharedAttributes) => Result<unknown>,
    path: () => Path,
  ): void {
    const fields = shared.ok ? (this.budget.spend(shared.value) ?? read(shared.value)) : shared;
    const record = fields.ok ? parseLogRecord(fields.value, this.parseOptions) : fields;
    if (record.ok) {
      this.mapping.records.push(record.value);
      return;
    }
    this.mapping.refused += 1;
    if (this.mapping.errors.length < REFUSALS_KEPT)
      this.mapping.errors.push({ path: path(), error: record.error });
  }
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
