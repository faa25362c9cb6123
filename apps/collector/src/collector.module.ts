import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BrokerUnavailableFilter } from './broker-unavailable.filter';
import { RecordPublisher } from './record-publisher';
import { HttpSource } from './sources/http/http.source';
import { IngestController } from './sources/http/ingest.controller';

/** Ingress: turns what senders push into confirmed batch messages on the ingest exchange. */
@Module({
  controllers: [IngestController],
  providers: [RecordPublisher, HttpSource, { provide: APP_FILTER, useClass: BrokerUnavailableFilter }],
})
export class CollectorModule {}
