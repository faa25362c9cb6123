import { Module } from '@nestjs/common';
import { DbModule } from '@logyard/db';
import { LogQueryService } from './query/log-query.service';
import { LogsController } from './query/logs.controller';
import { PartitionMaintainer } from './retention/partition.maintainer';
import { PostgresSink } from './sinks/postgres.sink';

/** Archives the logs bus into PostgreSQL and serves queries over it. */
@Module({
  imports: [DbModule],
  controllers: [LogsController],
  providers: [PostgresSink, PartitionMaintainer, LogQueryService],
})
export class ArchiverModule {}
