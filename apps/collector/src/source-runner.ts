import { Injectable } from '@nestjs/common';
import { LogsPublisher } from '@logyard/amqp';
import { LogRecord } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';

/** The collector's sources, as the `source` label of the record counters names them. */
export type SourceName = 'http' | 'otlp' | 'loki' | 'syslog';

/**
 * How many refusals a source keeps in full, the most any answer names; the rest are only counted, so a body
 * of millions of refused items costs no more memory than it takes to count them.
 */
export const REFUSALS_KEPT = 100;

/**
 * What a source makes of one input (Vector's shape, docs/design.md §6): the records it validated and its
 * per-record errors, in whatever shape its protocol reports them (an index, a path, a reason).
 */
export interface SourceOutput<E> {
  records: LogRecord[];
  /** The first REFUSALS_KEPT refusals in full. */
  errors: E[];
  /** Every refused input, those kept in `errors` and any past them. */
  refused: number;
}

/**
 * The one runner behind every source: publishes what a source validated straight to the logs exchange (the
 * collector's records take no second broker hop, docs/design.md §3) and counts accepted and refused records.
 * A source only turns bytes into a SourceOutput; when its sender may be answered, and what is counted, is
 * decided here, the same for every protocol.
 */
@Injectable()
export class SourceRunner {
  constructor(
    private readonly publisher: LogsPublisher,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Resolves with the output once the broker confirmed every record, the moment the sender may be told they
   * are accepted. Rejects, counting nothing, when the broker is away (BrokerUnavailableError): the sender is
   * answered 503 and sends them all again.
   */
  async run<O extends SourceOutput<unknown>>(source: SourceName, output: O): Promise<O> {
    if (output.records.length > 0) await this.publisher.publish(output.records);
    this.metrics.recordsAccepted.inc({ source }, output.records.length);
    this.refused(source, output.refused);
    return output;
  }

  /** Counts inputs refused outside a run: syslog turns its messages down one by one, as they arrive. */
  refused(source: SourceName, count: number): void {
    this.metrics.recordsRejected.inc({ source }, count);
  }
}
