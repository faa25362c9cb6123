import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics. Each Logyard instance owns its registry
 * (not prom-client's global one) so several instances can share a process in tests.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly recordsAccepted = new Counter({
    name: 'logyard_records_accepted_total',
    help: 'Records accepted by a collector source and confirmed by the broker',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly recordsRejected = new Counter({
    name: 'logyard_records_rejected_total',
    help: 'Records refused at a collector source as invalid',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly recordsRouted = new Counter({
    name: 'logyard_records_routed_total',
    help: 'Records validated (by a collector source or the router) and confirmed on the logs exchange',
    labelNames: ['severity'],
    registers: [this.registry],
  });
  readonly recordsDeadLettered = new Counter({
    name: 'logyard_records_dead_lettered_total',
    help: 'Messages or records sent to the dead exchange',
    labelNames: ['stage'],
    registers: [this.registry],
  });
  readonly recordsArchived = new Counter({
    name: 'logyard_records_archived_total',
    help: 'Records committed to PostgreSQL (including redelivered duplicates that were no-ops)',
    registers: [this.registry],
  });
  readonly archiveBatchRecords = new Histogram({
    name: 'logyard_archive_batch_records',
    help: 'Records per database write',
    buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000],
    registers: [this.registry],
  });
  readonly archiveWriteSeconds = new Histogram({
    name: 'logyard_archive_write_seconds',
    help: 'Duration of one database batch write',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'logyard_' });
  }

  /**
   * Exports logyard_query_replica_lag_seconds, asked of `read` at each scrape
   * so it is never older than the scrape. Only a process that serves queries
   * calls this: the gauge of a role without a query database would be a lie.
   */
  exportReplicaLag(read: () => Promise<number>): void {
    new Gauge({
      name: 'logyard_query_replica_lag_seconds',
      help: 'Seconds the query database (QUERY_DATABASE_URL) trails the primary; 0 on the primary, NaN when unknown',
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }
}
