import { Inject, Injectable } from '@nestjs/common';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { LogRecord } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { AmqpConnection } from './amqp-connection';
import { ConfirmPublisher } from './confirm-publisher';
import { logsBatchHeaders } from './record-batches';

/**
 * The one way validated records reach the logs exchange (docs/design.md §3): batch messages, one routing key
 * each, with the BCC keys and headers every subscription style needs. The collector publishes what its sources
 * validated here directly, the router what it validated from the ingest exchange; both count it as routed.
 * Resolves once the broker confirmed every message; rejects with BrokerUnavailableError, or with
 * UnencodableRecordsError before anything is published.
 */
@Injectable()
export class LogsPublisher {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly connection: AmqpConnection,
    private readonly publisher: ConfirmPublisher,
    private readonly metrics: MetricsService,
  ) {}

  async publish(records: readonly LogRecord[]): Promise<void> {
    await this.publisher.publishRecords(
      this.connection.topology.names.logs,
      records,
      this.config.records.maxPerMessage,
      logsBatchHeaders,
    );
    const perSeverity = new Map<string, number>();
    for (const { severity } of records) perSeverity.set(severity, (perSeverity.get(severity) ?? 0) + 1);
    for (const [severity, count] of perSeverity) this.metrics.recordsRouted.inc({ severity }, count);
  }
}
