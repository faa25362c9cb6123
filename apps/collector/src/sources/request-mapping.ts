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
import { SourceOutput } from '../source-runner';

/** A push request's records, and each refused item with its place in the request, e.g. `streams[0].values[3]`. */
export type RequestMapping = SourceOutput<{ path: string; error: string }>;

/** What a format says of one record, each field still to be checked by parseLogRecord. */
export type RecordFields = { [field in keyof LogRecord]?: unknown };

/** How a push request is mapped: as each record is parsed, and how much of its shared attributes it may copy. */
export interface MappingOptions extends ParseOptions {
  /** Bytes of shared attributes (see {@link SharedAttributesBudget}) the request may copy in all. */
  maxSharedAttributeBytes?: number;
}

/** How many times BODY_LIMIT a request may copy of the attributes it states once for many records. */
export const SHARED_ATTRIBUTES_PER_BODY_LIMIT = 4;

/** How the collector maps every push request: now as its observation time, the configured limits. */
export function mappingOptions(config: LogyardConfig): MappingOptions {
  return {
    observedTs: nowIso(),
    ...recordLimits(config),
    maxSharedAttributeBytes: SHARED_ATTRIBUTES_PER_BODY_LIMIT * config.http.bodyLimitBytes,
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

/**
 * What a request may still copy of its shared attributes. The formats ask for the copy, but it multiplies: a
 * 10 MB body of 3-byte records under 60 KB of shared labels would become 200 GB of records. Past the budget
 * (MappingOptions.maxSharedAttributeBytes) every further record is refused without being built.
 */
class SharedAttributesBudget {
  private left: number;

  constructor(private readonly limitBytes = Infinity) {
    this.left = limitBytes;
  }

  /** Takes one record's copy of `shared`; the record's refusal once the request is over its budget. */
  spend(shared: SharedAttributes): Result<never> | undefined {
    if (shared.bytes <= this.left) {
      this.left -= shared.bytes;
      return undefined;
    }
    this.left = 0;
    return err(
      `the request's shared attributes, copied into each of its records, come to over ${this.limitBytes} bytes; send fewer records per request`,
    );
  }
}

/**
 * Maps one push request item by item, so that one bad item costs only itself. Every item is parsed with the
 * same options, observed at one time taken once for the request, and every copy of shared attributes is paid
 * from the request's one budget.
 */
export class RequestMapper {
  readonly mapping: RequestMapping = { records: [], errors: [] };
  private readonly parseOptions: ParseOptions;
  private readonly budget: SharedAttributesBudget;

  /** `format` holds what the request's format fixes for every item, e.g. OTLP's severity scale. */
  constructor(options: MappingOptions, format: ParseOptions = {}) {
    this.parseOptions = { ...options, observedTs: options.observedTs ?? nowIso(), ...format };
    this.budget = new SharedAttributesBudget(options.maxSharedAttributeBytes);
  }

  /**
   * Adds the record parsed from the fields `read` takes out of an item that copies `shared`; an item whose
   * shared attributes were refused, or that is past the budget, is refused without being read. `path` is
   * only worked out for a refused item.
   */
  add(
    shared: Result<SharedAttributes>,
    read: (shared: SharedAttributes) => Result<RecordFields>,
    path: () => string,
  ): void {
    const fields = shared.ok ? (this.budget.spend(shared.value) ?? read(shared.value)) : shared;
    const record = fields.ok ? parseLogRecord(fields.value, this.parseOptions) : fields;
    if (record.ok) this.mapping.records.push(record.value);
    else this.mapping.errors.push({ path: path(), error: record.error });
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
