import { Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { ReadinessRegistry } from '@logyard/observability';
import { connectAndMigrate, createDataSource } from './database';
import { LogRepository } from './log.repository';
import { PartitionRepository } from './partition.repository';

/**
 * Connects and migrates before any role starts (Nest initialises this deeper
 * module first), reports the database to /health/ready, and closes the pool
 * last, after the roles have drained. Connecting here rather than in a
 * provider factory keeps a start-up failure to the one line of StartupError.
 */
@Injectable()
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly dataSource: DataSource,
    private readonly logs: LogRepository,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await connectAndMigrate(this.dataSource, this.config.database.url);
    this.readiness.register('database', async () => {
      await this.logs.ping();
      return true;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [LOGYARD_CONFIG],
      useFactory: (config: LogyardConfig) => createDataSource(config.database.url),
    },
    LogRepository,
    PartitionRepository,
    DatabaseLifecycle,
  ],
  exports: [DataSource, LogRepository, PartitionRepository],
})
export class DbModule {}
