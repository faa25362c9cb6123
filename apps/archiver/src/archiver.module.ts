import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { SessionController } from '@logyard/auth';
import { DbModule } from '@logyard/db';
import { AlertDelivery } from './alerts/alert-delivery';
import { AlertEvaluator } from './alerts/alert-evaluator';
import { AlertRulesService } from './alerts/alert-rules.service';
import { AlertsController } from './alerts/alerts.controller';
import { ExplorerController } from './explorer/explorer.controller';
import { FacetsController } from './query/facets.controller';
import { LogQueryService } from './query/log-query.service';
import { LogsController } from './query/logs.controller';
import { QueryRefusedFilter } from './query/query-refused.filter';
import { QueryRpcServer } from './query/query-rpc.server';
import { RpcReplyConnection } from './query/rpc-reply.connection';
import { PartitionMaintainer } from './retention/partition.maintainer';
import { PostgresSink } from './sinks/postgres.sink';

/**
 * Archives the logs bus into PostgreSQL and serves queries over it (HTTP, AMQP RPC, and the web explorer at
 * `/` with its login); enforces retention; evaluates alert rules on the live stream (one process acts).
 */
@Module({
  imports: [DbModule],
  controllers: [LogsController, FacetsController, AlertsController, SessionController, ExplorerController],
  providers: [
    PostgresSink,
    PartitionMaintainer,
    LogQueryService,
    QueryRpcServer,
    RpcReplyConnection,
    AlertRulesService,
    AlertEvaluator,
    AlertDelivery,
    { provide: APP_FILTER, useClass: QueryRefusedFilter },
  ],
})
export class ArchiverModule {}
