import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BrokerUnavailableFilter } from './broker-unavailable.filter';
import { IngestRateLimiter } from './ingest-rate-limiter';
import { RecordPublisher } from './record-publisher';
import { HttpSource } from './sources/http/http.source';
import { IngestController } from './sources/http/ingest.controller';
import { LokiController } from './sources/loki/loki.controller';
import { LokiSource } from './sources/loki/loki.source';
import { OtlpController } from './sources/otlp/otlp.controller';
import { OtlpSource } from './sources/otlp/otlp.source';
import { SyslogIngest } from './sources/syslog/syslog-ingest';
import { SyslogSource } from './sources/syslog/syslog.source';

/** Ingress: turns what senders push into confirmed batch messages on the ingest exchange. */
@Module({
  controllers: [IngestController, OtlpController, LokiController],
  providers: [
    RecordPublisher,
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
