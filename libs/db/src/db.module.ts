import { Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { MetricsService, ReadinessRegistry } from '@logyard/observability';
import {
  ARCHIVE_POOL,
  connectAndMigrate,
  createArchivePool,
  createQueryPool,
  startupError,
} from './database';
import { AlertOutboxRepository, AlertRuleRepository } from './alert-rule.repository';
import { LogQueryRepository } from './log-query.repository';
import { LogRepository } from './log.repository';
import { PartitionRepository } from './partition.repository';

/** How long a start waits for a replica (QUERY_DATABASE_URL) to replay the archive the primary has. */
const REPLICA_CATCH_UP_MS = 30_000;

/**
 * Connects and migrates before any role starts (Nest initialises this deeper
 * module first), reports the database to /health/ready, and closes the pools
 * last, after the roles have drained. Connecting here rather than in a
 * provider factory keeps a start-up failure to the one line of StartupError.
 * The module's pools and their life: docs/design.md §5.
 */
@Injectable()
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    @Inject(ARCHIVE_POOL) private readonly pool: Pool,
    private readonly logs: LogRepository,
    private readonly reads: LogQueryRepository,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await connectAndMigrate(this.pool, this.config.database.url);
    // The query database may be a replica, migrated through its primary: it is only reached, not migrated, and
    // may not have replayed the migrations just run.
    await this.reads.waitForArchive(REPLICA_CATCH_UP_MS).catch((error: unknown) => {
      throw startupError(this.config.query.databaseUrl, error, 'QUERY_DATABASE_URL');
    });
    this.readiness.register('database', async () => {
      await this.logs.ping();
      return true;
    });
    this.readiness.register('query database', async () => {
      await this.reads.ping();
      return true;
    });
    this.metrics.exportReplicaLag(() => this.reads.replicaLagSeconds());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reads.close();
    if (!this.pool.ended) await this.pool.end();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: ARCHIVE_POOL,
      inject: [LOGYARD_CONFIG],
      useFactory: (config: LogyardConfig) => createArchivePool(config.database.url),
    },
    {
      provide: LogQueryRepository,
      inject: [LOGYARD_CONFIG],
      useFactory: ({ query }: LogyardConfig) =>
        new LogQueryRepository(
          createQueryPool({ url: query.databaseUrl, poolSize: query.poolSize, timeoutMs: query.timeoutMs }),
          query.timeoutMs,
          query.poolSize,
        ),
    },
    LogRepository,
    PartitionRepository,
    AlertRuleRepository,
    AlertOutboxRepository,
    DatabaseLifecycle,
  ],
  exports: [
    ARCHIVE_POOL,
    LogRepository,
    LogQueryRepository,
    PartitionRepository,
    AlertRuleRepository,
    AlertOutboxRepository,
  ],
})
export class DbModule {}
