import { Module } from '@nestjs/common';
import { DbModule } from '@logyard/db';
import { FacetsController } from './query/facets.controller';
import { LogQueryService } from './query/log-query.service';
import { LogsController } from './query/logs.controller';
import { QueryRpcServer } from './query/query-rpc.server';
import { PartitionMaintainer } from './retention/partition.maintainer';
import { PostgresSink } from './sinks/postgres.sink';

/** Archives the logs bus into PostgreSQL and serves queries over it (HTTP and AMQP RPC); enforces retention. */
@Module({
  imports: [DbModule],
  controllers: [LogsController, FacetsController],
  providers: [PostgresSink, PartitionMaintainer, LogQueryService, QueryRpcServer],
})
export class ArchiverModule {}
