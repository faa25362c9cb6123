import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BrokerUnavailableFilter } from './broker-unavailable.filter';
import { IngestRateLimiter } from './ingest-rate-limiter';
import { HttpSource } from './sources/http/http.source';
import { IngestController } from './sources/http/ingest.controller';
import { LokiController } from './sources/loki/loki.controller';
import { LokiSource } from './sources/loki/loki.source';
import { OtlpController } from './sources/otlp/otlp.controller';
import { OtlpSource } from './sources/otlp/otlp.source';
import { SyslogIngest } from './sources/syslog/syslog-ingest';
import { SyslogSource } from './sources/syslog/syslog.source';
import { SourceRunner } from './source-runner';

/**
 * Ingress: each source turns what senders push into records, and one runner publishes them as confirmed batch
 * messages on the logs exchange (docs/design.md §3).
 */
@Module({
  controllers: [IngestController, OtlpController, LokiController],
  providers: [
    SourceRunner,
    IngestRateLimiter,
    HttpSource,
    OtlpSource,
    LokiSource,
    SyslogIngest,
    SyslogSource,
    { provide: APP_FILTER, useClass: BrokerUnavailableFilter },
  ],
})
export class CollectorModule {}
